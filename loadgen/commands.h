/* Subcommands of `mtload` implemented outside main.c. Each takes the
 * arguments after the subcommand name (argv[0] is the subcommand) and returns
 * the process exit code. */
#ifndef LG_COMMANDS_H
#define LG_COMMANDS_H

/* mtload compare BASE.json NEW.json [--max-regression 5%]
 * 0 no regression beyond the limit, 1 regression, 2 usage or unreadable input. */
int lg_cmd_compare(int argc, char **argv);

/* mtload merge a.json b.json c.hlog ... [-o out.json] [--threshold EXPR]...
 * 0 ok, 99 a threshold failed, 2 usage or unreadable input. */
int lg_cmd_merge(int argc, char **argv);

#endif
