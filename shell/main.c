/*
 * shell/main.c — the tapstack program: option parsing and the choice of mode.
 *
 *   tapstack [-n] [-f FILE] [-d] [--ctl PATH] [--seed N]    live stack (docs/commands.md)
 *   tapstack ctl [--ctl PATH] COMMAND...                     one command in a running stack
 *   tapstack --replay IN.pcap --dev NAME --out OUT.pcap [-n] [-f FILE] [--seed N]
 *   tapstack --decode FILE.pcap [-v] [-e]                    print a pcap, one line a frame
 */
#include "app.h"
#include "ctl.h"
#include "decode.h"
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *f)
{
    fprintf(f,
        "usage: tapstack [-n] [-f FILE] [-d] [--ctl PATH] [--seed N]\n"
        "       tapstack ctl [--ctl PATH] COMMAND...\n"
        "       tapstack --replay IN.pcap --dev NAME --out OUT.pcap [-n] [-f FILE] [--seed N]\n"
        "       tapstack --decode FILE.pcap [-v] [-e]\n");
}

int main(int argc, char **argv)
{
    struct app_opts o = { 0 };
    const char *decode = NULL;
    bool verbose = false, link = false;
    if (argc > 1 && !strcmp(argv[1], "ctl")) {
        int i = 2;
        const char *path = NULL;
        if (i + 1 < argc && !strcmp(argv[i], "--ctl")) { path = argv[i + 1]; i += 2; }
        return ctl_client_main(path, argc - i, argv + i);
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
#define NEED_ARG() do { if (!next) { fprintf(stderr, "tapstack: %s needs an argument\n", a); return 2; } i++; } while (0)
        if (!strcmp(a, "-f")) { NEED_ARG(); o.file = next; }
        else if (!strcmp(a, "-d")) o.daemon = true;
        else if (!strcmp(a, "-n")) o.empty = true;
        else if (!strcmp(a, "--ctl")) { NEED_ARG(); o.ctl_path = next; }
        else if (!strcmp(a, "--seed")) { NEED_ARG(); o.seed = strtoull(next, NULL, 0); }
        else if (!strcmp(a, "--replay")) { NEED_ARG(); o.replay_in = next; }
        else if (!strcmp(a, "--dev")) { NEED_ARG(); o.replay_dev = next; }
        else if (!strcmp(a, "--out")) { NEED_ARG(); o.replay_out = next; }
        else if (!strcmp(a, "--decode")) { NEED_ARG(); decode = next; }
        else if (!strcmp(a, "-v")) verbose = true;
        else if (!strcmp(a, "-e")) link = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { usage(stdout); return 0; }
        else { fprintf(stderr, "tapstack: unknown option %s\n", a); usage(stderr); return 2; }
#undef NEED_ARG
    }
    if (decode) return decode_pcap_file(decode, verbose, link, stdout);
    if (o.replay_in || o.replay_dev || o.replay_out) {
        if (!o.replay_in || !o.replay_dev || !o.replay_out) {
            fprintf(stderr, "tapstack: --replay needs --dev NAME and --out FILE\n");
            return 2;
        }
        return replay_main(&o);
    }
    return live_main(argc, argv, &o);
}
