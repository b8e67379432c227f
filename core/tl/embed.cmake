# cmake -DIN=<schema.tl> -DOUT=<file.c> -DSYM=<symbol> -P embed.cmake
# Turns a schema text into a C array at build time (no xxd needed), so the
# library carries its default schemas and needs no file at run time.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" nhex)
math(EXPR len "${nhex} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by core/tl/embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n"
  "extern const unsigned char ${SYM}[];\n"
  "extern const size_t ${SYM}_len;\n"
  "const unsigned char ${SYM}[] = {${body}0};\n"
  "const size_t ${SYM}_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
