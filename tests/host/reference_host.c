/* The floor for the host benchmark: a trivial native messaging host that reads each frame
 * and answers with a fixed reply, doing nothing else. Whatever pkibridge-host needs beyond
 * this is its own cost. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int read_all(int fd, void* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = read(fd, (char*)buf + done, n - done);
        if (r <= 0) return -1;
        done += (size_t)r;
    }
    return 0;
}

static int write_all(int fd, const void* buf, size_t n) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = write(fd, (const char*)buf + done, n - done);
        if (r <= 0) return -1;
        done += (size_t)r;
    }
    return 0;
}

int main(void) {
    static const char reply[] = "{\"id\":1,\"result\":{\"reference\":true}}";
    static char body[1 << 20];
    for (;;) {
        uint32_t length;
        if (read_all(0, &length, sizeof length) != 0) return 0;
        if (length > sizeof body) return 1;
        if (read_all(0, body, length) != 0) return 0;
        uint32_t out = (uint32_t)(sizeof reply - 1);
        if (write_all(1, &out, sizeof out) != 0 || write_all(1, reply, out) != 0) return 0;
    }
}
