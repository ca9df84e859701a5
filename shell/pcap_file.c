/* shell/pcap_file.c — reading a pcap file into memory (see pcap_file.h). */
#include "pcap_file.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_HDR_LEN  24
#define PCAP_REC_LEN  16
#define PCAP_MAX_CAPLEN 262144u         /* libpcap's MAXIMUM_SNAPLEN */
#define LINKTYPE_ETHERNET 1

static uint32_t get32(const uint8_t *p, bool swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static int read_all(const char *path, uint8_t **buf, size_t *size, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) { snprintf(err, errlen, "%s: %s", path, strerror(errno)); return -1; }
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        close(fd);
        return -1;
    }
    *size = (size_t)st.st_size;
    *buf = malloc(*size ? *size : 1);
    size_t got = 0;
    while (*buf && got < *size) {
        ssize_t n = read(fd, *buf + got, *size - got);
        if (n <= 0) break;
        got += (size_t)n;
    }
    close(fd);
    if (!*buf || got != *size) {
        snprintf(err, errlen, "%s: %s", path, *buf ? "short read" : "out of memory");
        free(*buf);
        *buf = NULL;
        return -1;
    }
    return 0;
}

/* The records after the file header, indexed in place. */
static int index_records(struct pcap_file *pf, bool swap, bool nsec, const char *path, char *err, size_t errlen)
{
    size_t cap = 0;
    for (size_t off = PCAP_HDR_LEN; off < pf->size;) {
        const uint8_t *h = pf->buf + off;
        uint32_t caplen = off + PCAP_REC_LEN <= pf->size ? get32(h + 8, swap) : 0;
        if (off + PCAP_REC_LEN > pf->size || caplen > PCAP_MAX_CAPLEN || caplen > pf->size - off - PCAP_REC_LEN) {
            snprintf(err, errlen, "%s: truncated record %zu", path, pf->n + 1);
            return -1;
        }
        if (pf->n == cap) {
            cap = cap ? cap * 2 : 256;
            struct pcap_rec *v = realloc(pf->recs, cap * sizeof(*v));
            if (!v) { snprintf(err, errlen, "%s: out of memory", path); return -1; }
            pf->recs = v;
        }
        uint32_t frac = get32(h + 4, swap);
        pf->recs[pf->n++] = (struct pcap_rec){
            .t_us = (uint64_t)get32(h, swap) * 1000000u + (nsec ? frac / 1000u : frac),
            .len = caplen, .data = h + PCAP_REC_LEN,
        };
        off += PCAP_REC_LEN + caplen;
    }
    return 0;
}

int pcap_file_load(struct pcap_file *pf, const char *path, char *err, size_t errlen)
{
    memset(pf, 0, sizeof(*pf));
    if (read_all(path, &pf->buf, &pf->size, err, errlen) < 0) return -1;
    uint32_t magic = pf->size >= PCAP_HDR_LEN ? get32(pf->buf, false) : 0;
    bool swap = magic == __builtin_bswap32(PCAP_MAGIC_US) || magic == __builtin_bswap32(PCAP_MAGIC_NS);
    if (swap) magic = __builtin_bswap32(magic);
    if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS) {
        snprintf(err, errlen, "%s: unknown file format", path);     /* libpcap's words */
        pcap_file_free(pf);
        return -1;
    }
    if ((get32(pf->buf + 20, swap) & 0x0fffffffu) != LINKTYPE_ETHERNET) {
        snprintf(err, errlen, "%s: not an Ethernet capture", path);
        pcap_file_free(pf);
        return -1;
    }
    if (index_records(pf, swap, magic == PCAP_MAGIC_NS, path, err, errlen) < 0) {
        pcap_file_free(pf);
        return -1;
    }
    return 0;
}

void pcap_file_free(struct pcap_file *pf)
{
    free(pf->recs);
    free(pf->buf);
    memset(pf, 0, sizeof(*pf));
}
