/* The C / libzmq stack of `deno task bench`: every workload of the bench contract (bench/README.md)
 * in plain C on the system libzmq, the physical limit the other stacks are compared with.
 *
 *   gcc -O2 -Wall -o bench_c bench.c -lzmq -lpthread -lm
 *   bench_c WORKLOAD N SIZE PORT [EXTRA]     -> one JSON line on stdout
 *
 * The untimed far end (REP echo, PUSH sender, PUB, proxy, ROUTER echo, idle clients) is a fork()ed
 * child with its own context; the timed side is this process. Traffic is tcp://127.0.0.1, except
 * `workers` (inproc between threads of one context). */
#include <zmq.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 100     /* untimed round trips before a latency measurement */
#define WINDOW 500     /* fanout: messages in flight ahead of the slowest SUB (< HWM 1000) */
#define ACK_EVERY 100  /* fanout: the SUB side reports progress every this many messages */
#define CHK(x) do { if ((x) < 0) { fprintf(stderr, "bench_c: %s: %s\n", #x, zmq_strerror(zmq_errno())); exit(1); } } while (0)

static long N, SIZE, EXTRA; static int PORT;

static double now_us(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1e6 + t.tv_nsec / 1e3; }
static char *ep(int port) { static char s[4][40]; static int k; k = (k + 1) % 4; snprintf(s[k], 40, "tcp://127.0.0.1:%d", port); return s[k]; }
static int cmpd(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }
/* nearest-rank percentile of a sorted array (the same definition in every stack) */
static double pct(const double *v, long n, double p) { long i = (long)ceil(p * n) - 1; return v[i < 0 ? 0 : i >= n ? n - 1 : i]; }
/* large messages: bound what the queues may hold (HWM 1000 at 64 MiB would be 64 GB) */
static int hwm_for(long size) { long h = (128L << 20) / (size > 0 ? size : 1); return h > 1000 ? 1000 : h < 2 ? 2 : (int)h; }
static void set_int(void *s, int opt, int v) { CHK(zmq_setsockopt(s, opt, &v, sizeof v)); }
/* A far end runs f() in a fork()ed child; spawn returns once it called ready() (after its binds),
 * so the timed side never connects to a port nobody listens on: a port in the ephemeral range
 * may then connect to itself (TCP simultaneous open) and steal the port from the far end. */
static int ready_fd = -1;
static void ready(void) { if (ready_fd >= 0) { char c = 1; if (write(ready_fd, &c, 1) != 1) exit(1); close(ready_fd); ready_fd = -1; } }
static pid_t spawn(void (*f)(void)) {
    int fd[2]; char c;
    if (pipe(fd)) { perror("pipe"); exit(1); }
    pid_t p = fork();
    if (p < 0) { perror("fork"); exit(1); }
    if (p == 0) { close(fd[0]); ready_fd = fd[1]; f(); ready(); _exit(0); }
    close(fd[1]);
    if (read(fd[0], &c, 1) != 1) { fprintf(stderr, "bench_c: a far end died before it was ready\n"); exit(1); }
    close(fd[0]);
    return p;
}
static double cpu_s(void) { struct rusage u; getrusage(RUSAGE_SELF, &u); return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6; }
static double rss_mib(void) {                                       /* VmRSS of this process */
    FILE *f = fopen("/proc/self/status", "r"); char line[256]; double kib = 0;
    while (f && fgets(line, sizeof line, f)) if (!strncmp(line, "VmRSS:", 6)) kib = atof(line + 6);
    if (f) fclose(f);
    return kib / 1024;
}
/* pub/sub message: "tNN" topic prefix, a kind byte (S sync, D data, E end), zero padding */
static char *mkmsg(long size, int topic, char kind) {
    char *m = calloc(size < 4 ? 4 : size, 1), t[8];
    snprintf(t, sizeof t, "t%02d", topic % 100); memcpy(m, t, 3); m[3] = kind; return m;
}
static long msize(void) { return SIZE < 4 ? 4 : SIZE; }

/* ---- far ends (children) ---- */
static void rep_echo(const char *e, int bind, long count) {
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_REP);
    CHK(bind ? zmq_bind(s, e) : zmq_connect(s, e));
    ready();
    zmq_msg_t m; zmq_msg_init(&m);
    for (long i = 0; i < count; i++) { CHK(zmq_msg_recv(&m, s, 0)); CHK(zmq_msg_send(&m, s, 0)); }
    zmq_msg_close(&m); zmq_close(s); zmq_ctx_term(ctx);
}
static void far_rep_bind(void) { rep_echo(ep(PORT), 1, WARMUP + N); }
static void far_rep_connect(void) { rep_echo(ep(PORT + 1), 0, WARMUP + N); }
static void far_push(void) {
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_PUSH);
    char *buf = calloc(SIZE ? SIZE : 1, 1);
    set_int(s, ZMQ_SNDHWM, hwm_for(SIZE));
    CHK(zmq_bind(s, ep(PORT)));
    ready();
    for (long i = 0; i < N; i++) CHK(zmq_send(s, buf, SIZE, 0));
    zmq_close(s); zmq_ctx_term(ctx);                                /* linger -1: flushes */
}
static void far_proxy(void) {                                       /* QUEUE device, until killed */
    void *ctx = zmq_ctx_new(), *f = zmq_socket(ctx, ZMQ_ROUTER), *b = zmq_socket(ctx, ZMQ_DEALER);
    CHK(zmq_bind(f, ep(PORT))); CHK(zmq_bind(b, ep(PORT + 1)));
    ready();
    zmq_proxy(f, b, NULL);
}
/* Publishes sync messages every ms until the SUB side says "ready" on the side channel. */
static void pub_sync(void *pub, void *ack, int topics) {
    char *sync[100]; char buf[32];
    for (int t = 0; t < topics; t++) sync[t] = mkmsg(SIZE, t, 'S');
    zmq_pollitem_t it = { ack, 0, ZMQ_POLLIN, 0 };
    ready();
    for (;;) {
        for (int t = 0; t < topics; t++) CHK(zmq_send(pub, sync[t], msize(), 0));
        if (zmq_poll(&it, 1, 1) > 0) break;
    }
    CHK(zmq_recv(ack, buf, sizeof buf, 0));
}
static void far_pub(void) {
    int topics = (int)EXTRA;
    void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB), *ack = zmq_socket(ctx, ZMQ_PULL);
    set_int(pub, ZMQ_SNDHWM, 0);                                     /* unlimited: no drops */
    CHK(zmq_bind(pub, ep(PORT))); CHK(zmq_bind(ack, ep(PORT + 1)));
    char *data[100];
    for (int t = 0; t < topics; t++) data[t] = mkmsg(SIZE, t, 'D');
    pub_sync(pub, ack, topics);
    for (long i = 0; i < N; i++) CHK(zmq_send(pub, data[i % topics], msize(), 0));
    for (int t = 0; t < topics; t++) CHK(zmq_send(pub, mkmsg(SIZE, t, 'E'), msize(), 0));
    zmq_close(ack); zmq_close(pub); zmq_ctx_term(ctx);
}
/* fanout: default HWMs; at most WINDOW messages ahead of the slowest SUB, so nothing is dropped */
static void far_fanout_pub(void) {
    void *ctx = zmq_ctx_new(), *pub = zmq_socket(ctx, ZMQ_PUB), *ack = zmq_socket(ctx, ZMQ_PULL);
    CHK(zmq_bind(pub, ep(PORT))); CHK(zmq_bind(ack, ep(PORT + 1)));
    char *data = mkmsg(SIZE, 0, 'D'), buf[32]; long acked = 0;
    pub_sync(pub, ack, 1);
    for (long i = 0; i < N; i++) {
        while (i - acked >= WINDOW) { int k = zmq_recv(ack, buf, sizeof buf - 1, 0); CHK(k); buf[k] = 0; acked = atol(buf); }
        CHK(zmq_send(pub, data, msize(), 0));
    }
    CHK(zmq_send(pub, mkmsg(SIZE, 0, 'E'), msize(), 0));
    zmq_close(ack); zmq_close(pub); zmq_ctx_term(ctx);
}
static void far_router_echo(void) {                                 /* ROUTER server for `clients` */
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_ROUTER);
    CHK(zmq_bind(s, ep(PORT)));
    ready();
    zmq_msg_t m; zmq_msg_init(&m);
    for (long i = 0; i < N + EXTRA; i++) {                           /* every request, warm-ups too */
        int more;
        do { CHK(zmq_msg_recv(&m, s, 0)); more = zmq_msg_more(&m); CHK(zmq_msg_send(&m, s, more ? ZMQ_SNDMORE : 0)); } while (more);
    }
    zmq_msg_close(&m); zmq_close(s); zmq_ctx_term(ctx);
}
static int gate[2];                                                 /* idle: opens once the ROUTER is bound */
static void idle_clients(long count) {                              /* connect, say hello, idle */
    char c;
    ready(); close(gate[1]);
    if (read(gate[0], &c, 1) != 1) exit(1);
    void *ctx = zmq_ctx_new();
    CHK(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)count + 16));
    for (long i = 0; i < count; i++) {
        void *s = zmq_socket(ctx, ZMQ_DEALER);
        if (!s) CHK(-1);
        CHK(zmq_connect(s, ep(PORT))); CHK(zmq_send(s, "hi", 2, 0));
    }
    for (;;) pause();                                               /* until the parent kills us */
}
#define IDLE_PROCS 4
static void far_idle_clients(void) { idle_clients(N / IDLE_PROCS); }
static void far_idle_clients_last(void) { idle_clients(N - (IDLE_PROCS - 1) * (N / IDLE_PROCS)); }

/* ---- timed sides ---- */
static void latency(const char *bench) {
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_REQ);
    CHK(zmq_connect(s, ep(PORT)));
    char *buf = calloc(SIZE ? SIZE : 1, 1); double *t = malloc(N * sizeof(double)), t0 = 0;
    for (long i = 0; i < WARMUP + N; i++) {
        if (i == WARMUP) t0 = now_us();
        double a = now_us();
        CHK(zmq_send(s, buf, SIZE, 0));
        if (zmq_recv(s, buf, SIZE, 0) != SIZE) { fprintf(stderr, "bad reply\n"); exit(1); }
        if (i >= WARMUP) t[i - WARMUP] = now_us() - a;
    }
    double tot = now_us() - t0;
    qsort(t, N, sizeof(double), cmpd);
    printf("{\"stack\":\"c\",\"bench\":\"%s\",\"n\":%ld,\"size\":%ld,\"median_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f}\n",
           bench, N, SIZE, pct(t, N, 0.5), pct(t, N, 0.99), tot / N);
    zmq_close(s); zmq_ctx_term(ctx);
}
static void pushpull(void) {
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_PULL);
    set_int(s, ZMQ_RCVHWM, hwm_for(SIZE));
    CHK(zmq_connect(s, ep(PORT)));
    zmq_msg_t m; zmq_msg_init(&m);
    double t0 = 0;
    for (long i = 0; i < N; i++) {
        CHK(zmq_msg_recv(&m, s, 0));
        if ((long)zmq_msg_size(&m) != SIZE) { fprintf(stderr, "bad size\n"); exit(1); }
        if (i == 0) t0 = now_us();                                   /* timed from the first message */
    }
    double el = (now_us() - t0) / 1e6, rate = (N - 1) / el;
    printf("{\"stack\":\"c\",\"bench\":\"pushpull\",\"n\":%ld,\"size\":%ld,\"msgs_per_s\":%.0f,\"mb_per_s\":%.2f,\"elapsed_s\":%.3f}\n",
           N, SIZE, rate, rate * SIZE / 1e6, el);
    zmq_msg_close(&m); zmq_close(s); zmq_ctx_term(ctx);
}
static void pubsub(void) {
    int topics = (int)EXTRA, mine = 3 % topics;
    void *ctx = zmq_ctx_new(), *sub = zmq_socket(ctx, ZMQ_SUB), *ack = zmq_socket(ctx, ZMQ_PUSH);
    char topic[8]; snprintf(topic, sizeof topic, "t%02d", mine);
    set_int(sub, ZMQ_RCVHWM, 0); set_int(sub, ZMQ_RCVTIMEO, 60000);
    CHK(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, 3));
    CHK(zmq_connect(sub, ep(PORT))); CHK(zmq_connect(ack, ep(PORT + 1)));
    char *buf = malloc(msize());
    long got = 0, expected = N / topics + (mine < N % topics);
    double t0 = 0, t1 = 0; int synced = 0, ok = 0;
    while (zmq_recv(sub, buf, msize(), 0) >= 0) {
        if (buf[3] == 'S') { if (!synced++) CHK(zmq_send(ack, "ready", 5, 0)); continue; }
        if (buf[3] == 'E') { ok = 1; break; }
        if (memcmp(buf, topic, 3)) break;                            /* wrong topic: filter broken */
        t1 = now_us(); if (got++ == 0) t0 = t1;
    }
    double el = (t1 - t0) / 1e6, rate = got > 1 ? (got - 1) / el : 0;
    printf("{\"stack\":\"c\",\"bench\":\"pubsub\",\"n\":%ld,\"size\":%ld,\"topics\":%d,\"expected\":%ld,\"delivered\":%ld,\"ok\":%s,"
           "\"msgs_per_s\":%.0f,\"mb_per_s\":%.2f,\"pub_msgs_per_s\":%.0f,\"elapsed_s\":%.3f}\n",
           N, SIZE, topics, expected, got, ok && got == expected ? "true" : "false",
           rate, rate * SIZE / 1e6, got > 1 ? (N - topics) / el : 0, el);
    zmq_close(ack); zmq_close(sub); zmq_ctx_term(ctx);
}
/* EXTRA SUB sockets in this thread, one zmq_poll over all; each must get all N messages */
static void fanout(void) {
    int subs = (int)EXTRA;
    void *ctx = zmq_ctx_new(), *ack = zmq_socket(ctx, ZMQ_PUSH), **s = calloc(subs, sizeof(void *));
    zmq_pollitem_t *it = calloc(subs, sizeof *it);
    long *count = calloc(subs, sizeof(long)), *reached = calloc(N / ACK_EVERY + 2, sizeof(long)), total = 0, acked = 0;
    int *synced = calloc(subs, sizeof(int)), nsynced = 0, ended = 0, ready = 0, bad = 0;
    for (int i = 0; i < subs; i++) {
        s[i] = zmq_socket(ctx, ZMQ_SUB);
        CHK(zmq_setsockopt(s[i], ZMQ_SUBSCRIBE, "", 0)); CHK(zmq_connect(s[i], ep(PORT)));
        it[i].socket = s[i]; it[i].events = ZMQ_POLLIN;
    }
    set_int(ack, ZMQ_LINGER, 0);                                     /* late acks may find no PUB */
    CHK(zmq_connect(ack, ep(PORT + 1)));
    char *buf = malloc(msize()), num[32]; double t0 = 0, t1 = 0;
    while (ended < subs) {
        int r = zmq_poll(it, subs, 60000); CHK(r);
        if (r == 0) break;                                          /* a minute of silence: lost */
        for (int i = 0; i < subs; i++) {
            if (!(it[i].revents & ZMQ_POLLIN)) continue;
            while (zmq_recv(s[i], buf, msize(), ZMQ_DONTWAIT) >= 0) {
                if (buf[3] == 'S') { if (!synced[i]++ && ++nsynced == subs && !ready++) CHK(zmq_send(ack, "ready", 5, 0)); continue; }
                if (buf[3] == 'E') { ended++; it[i].events = 0; break; }
                if (buf[3] != 'D') { bad = 1; continue; }
                t1 = now_us(); if (total++ == 0) t0 = t1;
                if (++count[i] % ACK_EVERY == 0 && ++reached[count[i] / ACK_EVERY] == subs) {
                    acked = count[i]; int k = snprintf(num, sizeof num, "%ld", acked); CHK(zmq_send(ack, num, k, 0));
                }
            }
        }
    }
    long expected = N * subs; double el = (t1 - t0) / 1e6, rate = total > 1 ? (total - 1) / el : 0;
    printf("{\"stack\":\"c\",\"bench\":\"fanout\",\"n\":%ld,\"size\":%ld,\"subs\":%d,\"expected\":%ld,\"delivered\":%ld,\"lost\":%ld,"
           "\"ok\":%s,\"msgs_per_s\":%.0f,\"elapsed_s\":%.3f}\n",
           N, SIZE, subs, expected, total, expected - total, total == expected && !bad ? "true" : "false", rate, el);
    for (int i = 0; i < subs; i++) zmq_close(s[i]);
    zmq_close(ack); zmq_ctx_term(ctx);
}
/* EXTRA REQ clients in this thread, one zmq_poll over all, N timed requests in total */
static void clients(void) {
    int k = (int)EXTRA; long each = N / k, done = 0;
    void *ctx = zmq_ctx_new(), **s = calloc(k, sizeof(void *));
    CHK(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, k + 16));
    zmq_pollitem_t *it = calloc(k, sizeof *it);
    double *sent = calloc(k, sizeof(double)), *lat = malloc(N * sizeof(double));
    long *left = calloc(k, sizeof(long)), nlat = 0;
    char *buf = calloc(SIZE ? SIZE : 1, 1);
    for (int i = 0; i < k; i++) {
        s[i] = zmq_socket(ctx, ZMQ_REQ); CHK(zmq_connect(s[i], ep(PORT)));
        it[i].socket = s[i]; it[i].events = ZMQ_POLLIN;
    }
    for (int i = 0; i < k; i++) CHK(zmq_send(s[i], buf, SIZE, 0));   /* warm-up: every client connected */
    for (int i = 0; i < k; i++) CHK(zmq_recv(s[i], buf, SIZE, 0));
    double t0 = now_us();
    for (int i = 0; i < k; i++) { left[i] = each + (i < N % k); sent[i] = now_us(); CHK(zmq_send(s[i], buf, SIZE, 0)); }
    while (done < N) {
        CHK(zmq_poll(it, k, -1));
        for (int i = 0; i < k; i++) {
            if (!(it[i].revents & ZMQ_POLLIN)) continue;
            if (zmq_recv(s[i], buf, SIZE, 0) != SIZE) { fprintf(stderr, "bad reply\n"); exit(1); }
            double t = now_us(); lat[nlat++] = t - sent[i]; done++;
            if (--left[i] > 0) { sent[i] = now_us(); CHK(zmq_send(s[i], buf, SIZE, 0)); } else it[i].events = 0;
        }
    }
    double el = (now_us() - t0) / 1e6;
    qsort(lat, nlat, sizeof(double), cmpd);
    printf("{\"stack\":\"c\",\"bench\":\"clients\",\"n\":%ld,\"size\":%ld,\"clients\":%d,\"requests_per_s\":%.0f,"
           "\"median_us\":%.2f,\"p99_us\":%.2f,\"elapsed_s\":%.3f}\n",
           N, SIZE, k, N / el, pct(lat, nlat, 0.5), pct(lat, nlat, 0.99), el);
    for (int i = 0; i < k; i++) zmq_close(s[i]);
    zmq_ctx_term(ctx);
}
/* EXTRA threads, each a PUSH over inproc to one PULL in the main thread, N messages in all */
static void *ctx_shared; static long per_thread[64];
static void *worker_push(void *arg) {
    long count = per_thread[(long)arg]; void *s = zmq_socket(ctx_shared, ZMQ_PUSH);
    char *buf = calloc(SIZE ? SIZE : 1, 1);
    CHK(zmq_connect(s, "inproc://bench-workers"));
    for (long i = 0; i < count; i++) CHK(zmq_send(s, buf, SIZE, 0));
    zmq_close(s); return NULL;
}
static void workers(void) {
    int k = (int)EXTRA; pthread_t th[64];
    if (k < 1 || k > 64) { fprintf(stderr, "workers: 1..64 threads\n"); exit(2); }
    ctx_shared = zmq_ctx_new();
    void *pull = zmq_socket(ctx_shared, ZMQ_PULL);
    CHK(zmq_bind(pull, "inproc://bench-workers"));
    for (long i = 0; i < k; i++) { per_thread[i] = N / k + (i < N % k); pthread_create(&th[i], NULL, worker_push, (void *)i); }
    zmq_msg_t m; zmq_msg_init(&m); double t0 = 0;
    for (long i = 0; i < N; i++) {
        CHK(zmq_msg_recv(&m, pull, 0));
        if ((long)zmq_msg_size(&m) != SIZE) { fprintf(stderr, "bad size\n"); exit(1); }
        if (i == 0) t0 = now_us();
    }
    double el = (now_us() - t0) / 1e6, rate = (N - 1) / el;
    for (int i = 0; i < k; i++) pthread_join(th[i], NULL);
    printf("{\"stack\":\"c\",\"bench\":\"workers\",\"n\":%ld,\"size\":%ld,\"workers\":%d,\"how\":\"pthreads, one context\","
           "\"msgs_per_s\":%.0f,\"mb_per_s\":%.2f,\"elapsed_s\":%.3f}\n", N, SIZE, k, rate, rate * SIZE / 1e6, el);
    zmq_msg_close(&m); zmq_close(pull); zmq_ctx_term(ctx_shared);
}
/* one ROUTER holding N idle connections from IDLE_PROCS client processes; memory and idle CPU */
static void idle(void) {
    pid_t kids[IDLE_PROCS];                                         /* fork before any context */
    if (pipe(gate)) { perror("pipe"); exit(1); }
    for (int i = 0; i < IDLE_PROCS; i++) kids[i] = spawn(i == IDLE_PROCS - 1 ? far_idle_clients_last : far_idle_clients);
    close(gate[0]);
    double rss0 = rss_mib(), t0 = now_us();
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_ROUTER);
    set_int(s, ZMQ_BACKLOG, 4096);
    CHK(zmq_bind(s, ep(PORT)));
    for (int i = 0; i < IDLE_PROCS; i++) if (write(gate[1], "g", 1) != 1) exit(1);
    zmq_msg_t m; zmq_msg_init(&m);
    for (long i = 0; i < 2 * N; i++) CHK(zmq_msg_recv(&m, s, 0));  /* identity + "hi" from each */
    double connect_s = (now_us() - t0) / 1e6, rss = rss_mib() - rss0, c0 = cpu_s(), w0 = now_us();
    set_int(s, ZMQ_RCVTIMEO, (int)(EXTRA * 1000));                   /* idle: a server waiting */
    int r = zmq_msg_recv(&m, s, 0);
    double wall = (now_us() - w0) / 1e6, cpu = cpu_s() - c0;
    printf("{\"stack\":\"c\",\"bench\":\"idle\",\"n\":%ld,\"size\":%ld,\"connections\":%ld,\"connect_s\":%.3f,\"rss_mib\":%.1f,"
           "\"rss_kib_per_conn\":%.2f,\"idle_s\":%.2f,\"idle_cpu_percent\":%.3f,\"ok\":%s}\n",
           N, SIZE, N, connect_s, rss, rss * 1024 / N, wall, 100 * cpu / wall, r < 0 ? "true" : "false");
    for (int i = 0; i < IDLE_PROCS; i++) { kill(kids[i], SIGKILL); waitpid(kids[i], 0, 0); }
    int zero = 0; zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_msg_close(&m); zmq_close(s); zmq_ctx_term(ctx);
}
/* raw TCP 1-byte ping-pong, blocking, TCP_NODELAY, no ZeroMQ: the kernel/VM floor */
static void tcp_floor(void) {
    int one = 1; char c = 'x';
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (void *)&a, sizeof a) || listen(ls, 1)) { perror("bind"); exit(1); }
    pid_t p = fork();
    if (p == 0) {
        int s = accept(ls, 0, 0); setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        while (read(s, &c, 1) == 1 && write(s, &c, 1) == 1) {}
        _exit(0);
    }
    int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, (void *)&a, sizeof a)) { perror("connect"); exit(1); }
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    double *t = malloc(N * sizeof(double)), t0 = 0;
    for (long i = 0; i < WARMUP + N; i++) {
        if (i == WARMUP) t0 = now_us();
        double b = now_us();
        if (write(s, &c, 1) != 1 || read(s, &c, 1) != 1) { perror("io"); exit(1); }
        if (i >= WARMUP) t[i - WARMUP] = now_us() - b;
    }
    double tot = now_us() - t0;
    close(s); waitpid(p, 0, 0);
    qsort(t, N, sizeof(double), cmpd);
    printf("{\"stack\":\"c\",\"bench\":\"tcp_floor\",\"n\":%ld,\"size\":1,\"median_us\":%.2f,\"p99_us\":%.2f,\"mean_us\":%.2f}\n",
           N, pct(t, N, 0.5), pct(t, N, 0.99), tot / N);
}

static const char *USAGE = "usage: bench_c reqrep|pushpull|pubsub|queue|fanout|clients|workers|idle|tcp_floor N SIZE PORT [EXTRA]\n";
int main(int argc, char **argv) {
    if (argc < 5) { fputs(USAGE, stderr); return 2; }
    const char *b = argv[1];
    N = atol(argv[2]); SIZE = atol(argv[3]); PORT = atoi(argv[4]); EXTRA = argc > 5 ? atol(argv[5]) : 0;
    if (N < 2 || SIZE < 0 || PORT < 1 || PORT > 65534) { fputs(USAGE, stderr); return 2; }
    if (!strcmp(b, "reqrep")) { pid_t p = spawn(far_rep_bind); latency("reqrep"); waitpid(p, 0, 0); }
    else if (!strcmp(b, "pushpull")) { pid_t p = spawn(far_push); pushpull(); waitpid(p, 0, 0); }
    else if (!strcmp(b, "pubsub")) {
        if (EXTRA < 1 || EXTRA > 100) EXTRA = 10;
        pid_t p = spawn(far_pub); pubsub(); waitpid(p, 0, 0);
    } else if (!strcmp(b, "queue")) {
        pid_t px = spawn(far_proxy), p = spawn(far_rep_connect);
        latency("queue"); waitpid(p, 0, 0); kill(px, SIGTERM); waitpid(px, 0, 0);
    } else if (!strcmp(b, "fanout")) {
        if (EXTRA < 1) EXTRA = 50;
        pid_t p = spawn(far_fanout_pub); fanout(); waitpid(p, 0, 0);
    } else if (!strcmp(b, "clients")) {
        if (EXTRA < 1) EXTRA = 500;
        pid_t p = spawn(far_router_echo); clients(); waitpid(p, 0, 0);
    } else if (!strcmp(b, "workers")) { if (EXTRA < 1) EXTRA = 4; workers(); }
    else if (!strcmp(b, "idle")) { if (EXTRA < 1) EXTRA = 5; idle(); }
    else if (!strcmp(b, "tcp_floor")) tcp_floor();
    else { fprintf(stderr, "bench_c: unknown workload %s\n", b); fputs(USAGE, stderr); return 2; }
    return 0;
}
