/*
 * shell/main.c — the tapstack program: option parsing and the choice of mode.
 *
 *   tapstack [-n] [-f FILE] [-d] [--ctl PATH] [--seed N]    live stack (docs/commands.md)
 *   tapstack ctl [--ctl PATH] COMMAND...                     one command in a running stack
 *   tapstack --replay IN.pcap --dev NAME --out OUT.pcap [-n] [-f FILE] [--seed N]
 *   tapstack --replay --dev [NS/]NAME=[IN.pcap]:OUT.pcap [--dev ...] [-n] [-f FILE] [--seed N]
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
        "       tapstack --replay --dev [NS/]NAME=[IN.pcap]:OUT.pcap [--dev ...] [-n] [-f FILE] [--seed N]\n"
        "       tapstack --decode FILE.pcap [-v] [-e]\n");
}

static void help(void)
{
    usage(stdout);
    printf("\n"
        "Replay runs a script (-f) on a virtual clock, with no network. Each --dev names a\n"
        "device the script (or the default lab, unless -n) creates with `ip link add NAME\n"
        "type tap`, in namespace NS if given: the frames of IN.pcap enter it at their capture\n"
        "times, and every frame it sends is written to OUT.pcap at the virtual time it left.\n"
        "IN may be empty (no input); paths split at the last ':'. Inputs merge in time order;\n"
        "frames with equal times enter in --dev order. The clock starts at the earliest\n"
        "input frame. --replay IN --dev NAME --out OUT is --replay --dev NAME=IN:OUT.\n"
        "The same inputs and --seed (default 1) give byte-identical outputs.\n");
}

/* The two replay forms, checked before anything runs (usage errors: status 2). */
static bool replay_opts_ok(const struct app_opts *o)
{
    int plain = 0;
    for (int i = 0; i < o->n_replay_devs; i++) plain += !strchr(o->replay_devs[i], '=');
    if (plain && (plain != 1 || o->n_replay_devs != 1 || !o->replay_in || !o->replay_out)) {
        fprintf(stderr, "tapstack: --replay needs --dev NAME and --out FILE\n");
        return false;
    }
    if (!plain && (o->replay_in || o->replay_out || !o->n_replay_devs)) {
        fprintf(stderr, "tapstack: --replay needs --dev NAME and --out FILE, or "
                        "--dev [NS/]NAME=[IN.pcap]:OUT.pcap for each device\n");
        return false;
    }
    return true;
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
        else if (!strcmp(a, "--replay")) {
            o.replay = true;            /* IN is optional: an option word is not a path */
            if (next && (next[0] != '-' || !strcmp(next, "-"))) { o.replay_in = next; i++; }
        }
        else if (!strcmp(a, "--dev")) {
            NEED_ARG();
            if (o.n_replay_devs == APP_MAX_REPLAY_DEVS) {
                fprintf(stderr, "tapstack: at most %d --dev options\n", APP_MAX_REPLAY_DEVS);
                return 2;
            }
            o.replay_devs[o.n_replay_devs++] = next;
        }
        else if (!strcmp(a, "--out")) { NEED_ARG(); o.replay_out = next; }
        else if (!strcmp(a, "--decode")) { NEED_ARG(); decode = next; }
        else if (!strcmp(a, "-v")) verbose = true;
        else if (!strcmp(a, "-e")) link = true;
        else if (!strcmp(a, "-h") || !strcmp(a, "--help")) { help(); return 0; }
        else { fprintf(stderr, "tapstack: unknown option %s\n", a); usage(stderr); return 2; }
#undef NEED_ARG
    }
    if (decode) return decode_pcap_file(decode, verbose, link, stdout);
    if (o.replay || o.n_replay_devs || o.replay_out) {
        if (!replay_opts_ok(&o)) return 2;
        return replay_main(&o);
    }
    return live_main(argc, argv, &o);
}
