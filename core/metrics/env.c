/* The "environment" block of a results file: what a later reader needs to
 * know whether two runs are comparable (CPU, flags, crypto tier, kernel,
 * compiler, commit, threads). */
#include "core/metrics/mt_metrics.h"

#include <jansson.h>
#include <stdlib.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef MT_GIT_COMMIT
#define MT_GIT_COMMIT "unknown"
#endif

json_t *mt_metrics_env_json(const struct mt_metrics_env *env);

/* Value of the first "key : value" line of /proc/cpuinfo, malloc'd. */
static char *cpuinfo_field(const char *key)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f)
        return NULL;
    char *line = NULL, *out = NULL;
    size_t cap = 0, klen = strlen(key);
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, key, klen) || (line[klen] != ' ' && line[klen] != '\t' && line[klen] != ':'))
            continue;
        char *colon = strchr(line, ':');
        if (!colon)
            continue;
        char *v = colon + 1;
        while (*v == ' ')
            v++;
        v[strcspn(v, "\n")] = 0;
        out = strdup(v);
        break;
    }
    free(line);
    fclose(f);
    return out;
}

static const char *compiler_string(void)
{
#if defined(__clang__)
    return "clang " __clang_version__;
#elif defined(__GNUC__)
    return "gcc " __VERSION__;
#else
    return "unknown";
#endif
}

json_t *mt_metrics_env_json(const struct mt_metrics_env *env)
{
    static const struct mt_metrics_env none = {0};
    if (!env)
        env = &none;
    json_t *o = json_object();
    char *model = env->cpu_model ? NULL : cpuinfo_field("model name");
    char *flags = env->cpu_flags ? NULL : cpuinfo_field("flags");
    json_object_set_new(o, "cpu_model", json_string(env->cpu_model ? env->cpu_model
                                                     : model ? model : "unknown"));
    json_object_set_new(o, "cpu_flags", json_string(env->cpu_flags ? env->cpu_flags
                                                     : flags ? flags : ""));
    free(model);
    free(flags);
    json_object_set_new(o, "cpus_online", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    json_object_set_new(o, "crypto_tier", json_string(env->crypto_tier ? env->crypto_tier : "unknown"));
    struct utsname u;
    if (uname(&u) == 0) {
        char kernel[sizeof(u.sysname) + sizeof(u.release) + sizeof(u.version) + 4];
        snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.version);
        json_object_set_new(o, "kernel", json_string(kernel));
        json_object_set_new(o, "machine", json_string(u.machine));
    }
    char host[256] = "";
    if (env->hostname)
        snprintf(host, sizeof(host), "%s", env->hostname);
    else if (gethostname(host, sizeof(host) - 1) != 0)
        host[0] = 0;
    json_object_set_new(o, "hostname", json_string(host));
    json_object_set_new(o, "compiler", json_string(compiler_string()));
    json_object_set_new(o, "commit", json_string(MT_GIT_COMMIT));
    json_object_set_new(o, "threads", json_integer(env->threads));
    if (env->transport)
        json_object_set_new(o, "transport", json_string(env->transport));
    return o;
}
