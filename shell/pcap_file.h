/*
 * shell/pcap_file.h — a whole pcap capture file read into memory (the replay's input).
 *
 * The file is read with one read() and its records are indexed in place: no copy and no
 * allocation per frame, so replaying a capture costs what the stack does with it and
 * little else (the instruction-count benchmark counts the replay's reading too).
 * Formats: the classic pcap format (https://www.tcpdump.org/manpages/pcap-savefile.5.html)
 * with microsecond or nanosecond timestamps, in either byte order; Ethernet link type only.
 */
#ifndef TS_PCAP_FILE_H
#define TS_PCAP_FILE_H
#include <stddef.h>
#include <stdint.h>

struct pcap_rec { uint64_t t_us; uint32_t len; const uint8_t *data; };

struct pcap_file {
    uint8_t *buf;               /* the whole file */
    size_t size;
    struct pcap_rec *recs;      /* records in file order, data pointing into buf */
    size_t n;
};

/* 0, or -1 with a message in err (not a pcap file, not Ethernet, truncated record...). */
int  pcap_file_load(struct pcap_file *pf, const char *path, char *err, size_t errlen);
void pcap_file_free(struct pcap_file *pf);

#endif
