/*
 * shell/decode.h — a one-line, tcpdump-style decoder for Ethernet frames, the pcap
 * decoder used by the regression diff, and the capture helpers built on packet taps.
 *
 * The decoder prints what `tcpdump -n` (with link: `tcpdump -e -n`, verbose: `tcpdump
 * -v -n`) 4.99 prints for a frame, without the timestamp, on ONE line: where tcpdump
 * -v breaks a packet over several lines ("\n    " after the IP header, "\n\t" before
 * the IP packet quoted in an ICMP error, "\n" before the frame inside VXLAN), a single
 * space is printed instead. Sequence numbers are absolute (as `tcpdump -S`): the
 * decoder keeps no state between frames. Differences from tcpdump are listed at the top
 * of decode.c.
 *
 * The decoders never read outside [frame, frame + len) and never allocate.
 */
#ifndef TS_DECODE_H
#define TS_DECODE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decode one frame of len bytes into out (always NUL-terminated when outlen > 0).
 * Returns the length of the whole line, as snprintf does: a result >= outlen means the
 * line was cut; call again with a buffer of result + 1 bytes for all of it. */
size_t frame_decode(char *out, size_t outlen, const uint8_t *frame, size_t len, bool show_link);
/* The same with tcpdump -v's details: IP header fields, options and checksums, TCP and
 * ICMP checksums, the packet quoted in an ICMP error. Used by the pcap regression diff. */
size_t frame_decode_verbose(char *out, size_t outlen, const uint8_t *frame, size_t len,
                            bool show_link);

/* The general form: caplen bytes captured of a frame that was wirelen bytes long on the
 * wire (a pcap record's caplen and len). */
#define DECODE_LINK    1u      /* -e */
#define DECODE_VERBOSE 2u      /* -v */
size_t frame_decode_ex(char *out, size_t outlen, const uint8_t *frame, size_t caplen,
                       size_t wirelen, unsigned flags);
/* The same with options: flags as above, and UDP ports that carry VXLAN besides 4789
 * (tcpdump decodes other ports as VXLAN only with -T vxlan; 8472, Linux's historic VXLAN
 * port and flannel's, it decodes as OTV, whose header has the same layout). */
struct decode_opts {
    unsigned        flags;
    const uint16_t *vxlan_ports;
    unsigned        n_vxlan_ports;
};
size_t frame_decode_opts(char *out, size_t outlen, const uint8_t *frame, size_t caplen,
                         size_t wirelen, const struct decode_opts *o);

/* tapstack --decode FILE.pcap [-v] [-e]: one line per frame, "N SEC.USEC DECODE", where N
 * counts from 1 and SEC.USEC is the record's timestamp. Returns 0, or 1 after printing
 * "tapstack: FILE: reason" on stderr when the file cannot be read (or is not Ethernet). */
int decode_pcap_file(const char *path, bool verbose, bool link, FILE *out);

/* ---- Capture helpers (implemented in shell/cmd_tcpdump.c: they need the stack) ---- */
struct netdev;
struct pcap_tap;

/* Write every frame of the given directions (PTAP_RX | PTAP_TX) that passes dev to a
 * microsecond pcap FILE (DLT_EN10MB, snapshot length 262144), stamped with the stack
 * clock (dev->net->st->now_us); each record is flushed as it is written. NULL on error,
 * with "FILE: reason" in err. */
struct pcap_tap *pcap_tap_open(struct netdev *dev, const char *file, int dirmask,
                               char *err, size_t errlen);
/* Detach (if the device still exists), close the file, free. NULL is a no-op. */
void pcap_tap_close(struct pcap_tap *t);

/* dev is about to go away: every tcpdump capturing on it stops as tcpdump does when its
 * interface disappears ("tcpdump: pcap_loop: The interface disappeared", the counts,
 * exit status 1), and every pcap_tap on it is detached (its file stays open and valid
 * until pcap_tap_close). netdev_unregister does the same through the taps' dev_gone, so
 * calling this is only needed for a device that goes away some other way. */
void capture_detach_all(struct netdev *dev);

#endif
