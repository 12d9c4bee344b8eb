// Whole C programs, run by kmemlab (its compiler, kernel and this libc) and by gcc with the host's
// glibc: stdout, stderr and the exit status must agree. The programs print heap offsets, never
// addresses, so address-space randomisation on the host does not matter.

import assert from 'node:assert/strict';
import { Session } from '../../engine/session/session';
import { labFromFiles } from '../../engine/session/lab';
import { runC } from './gcc';

interface Outcome {
  stdout: string;
  stderr: string;
  status: number | null;
  signal: string | null;
}

function runKmemlab(source: string): Outcome {
  const path = '/lab/prog.c';
  const lab = labFromFiles([path], [source]);
  const session = new Session(lab, { readFile: (p: string) => (p === path ? source : undefined) });
  const r = session.runToEnd();
  const p = r.programs[0];
  return { stdout: p.stdout, stderr: p.stderr, status: p.exitCode, signal: p.signal };
}

/** glibc with stdout on a terminal: kmemlab's stdout behaves like one (line buffered, 1024-byte buffer). */
function runGlibc(source: string): Outcome | undefined {
  return runC(source, { tty: true });
}

/** assert's message names the program and source path, which differ between the two runs. */
function normalize(o: Outcome): Outcome {
  return { ...o, stderr: o.stderr.replace(/^[^\n:]*: [^\n:]*:(\d+): /gm, 'PROG: FILE:$1: ') };
}

const PROGRAMS: Record<string, string> = {
  'printf, sprintf, snprintf and vsnprintf': String.raw`
#include <stdio.h>
#include <stdarg.h>
#include <string.h>
static int logf_(char *buf, size_t n, const char *fmt, ...) {
  va_list ap; va_start(ap, fmt); int r = vsnprintf(buf, n, fmt, ap); va_end(ap); return r;
}
int main(void) {
  char buf[64]; int n;
  printf("[%5d|%-5d|%05d|%+d|%x|%#o|%c|%%]\n", 42, 42, 42, 42, 255, 8, 'A');
  printf("[%8.3f|%-10.2e|%g|%g|%a]\n", 3.14159, 12345.678, 0.0001, 1e20, 1.0);
  printf("[%s|%.3s|%10s|%-10s|%p]\n", "hello", "hello", "hi", "hi", (void *)0);
  printf("[%ld|%lu|%lld|%hhd|%hd|%zu]\n", -1L, (unsigned long)-1, 1LL << 40, 300, 70000, sizeof buf);
  n = sprintf(buf, "%d-%s", 7, "seven"); printf("%d %s\n", n, buf);
  n = snprintf(buf, 5, "%s", "truncated"); printf("%d %s\n", n, buf);
  n = logf_(buf, sizeof buf, "%d %s %.1f", 1, "two", 3.0); printf("%d %s\n", n, buf);
  printf("abc%n|\n", &n); printf("%d\n", n);
  return 0;
}`,
  'float.h, fabsf, ldexp and ldexpf (exact, subnormal, overflow, underflow and errno)': String.raw`
#include <stdio.h>
#include <float.h>
#include <math.h>
#include <errno.h>
int main(void) {
  static const int es[] = { 0, 3, -3, 1000, 1024, -1022, -1060, -1074, -1075, -1080, 100000, -100000 };
  static const double xs[] = { 1.0, -1.5, 0.75, 3.0000000000000004, 1e-300, DBL_MAX, DBL_TRUE_MIN };
  unsigned i, j;
  printf("%d %d %d %g %g %g %g\n", FLT_MANT_DIG, DBL_MANT_DIG, DBL_MAX_EXP, DBL_EPSILON, FLT_EPSILON, FLT_MAX, DBL_MIN);
  printf("%g %g\n", (double)fabsf(-2.5f), (double)fabsf(-0.0f));
  for (i = 0; i < sizeof xs / sizeof xs[0]; i++)
    for (j = 0; j < sizeof es / sizeof es[0]; j++) {
      errno = 0;
      double r = ldexp(xs[i], es[j]);
      int e1 = errno;
      errno = 0;
      float f = ldexpf((float)xs[i], es[j] / 8);
      printf("%a %d %a %d\n", r, e1, (double)f, errno);
    }
  return 0;
}`,
  'strings and ctype': String.raw`
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <stdlib.h>
int main(void) {
  char a[32] = "Hello", b[32];
  strcpy(b, a); strcat(b, ", world"); printf("%s %zu\n", b, strlen(b));
  printf("%d %d %d\n", strcmp("abc", "abd") < 0, strncmp("abc", "abd", 2), strcasecmp("HeLLo", "hello"));
  printf("%s|%s|%s\n", strchr(b, 'o'), strrchr(b, 'o'), strstr(b, "wor"));
  printf("%zu %zu %s\n", strspn("aabbc", "ab"), strcspn("hello", "l"), strpbrk("hello", "lo"));
  char t[] = "a,b,,c"; for (char *tok = strtok(t, ","); tok; tok = strtok(NULL, ",")) printf("<%s>", tok);
  printf("\n");
  char m[8]; memset(m, 'x', 7); m[7] = 0; memmove(m + 2, m, 3); printf("%s %d\n", m, memcmp("ab", "ac", 2) < 0);
  char *d = strdup("dup"); printf("%s %d %d %c%c\n", d, isalpha('q') != 0, isdigit('q') != 0, toupper('q'), tolower('Q'));
  strncpy(m, "ab", 5); printf("%d %d %s\n", m[3], m[5], m);
  free(d);
  return 0;
}`,
  'strtol, strtod and atoi': String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
static void l(const char *s, int base) {
  char *end; errno = 0; long v = strtol(s, &end, base);
  printf("strtol(\"%s\",%d)=%ld end=%ld errno=%d\n", s, base, v, (long)(end - s), errno);
}
static void ul(const char *s, int base) {
  char *end; errno = 0; unsigned long v = strtoul(s, &end, base);
  printf("strtoul(\"%s\",%d)=%lu end=%ld errno=%d\n", s, base, v, (long)(end - s), errno);
}
static void d(const char *s) {
  char *end; errno = 0; double v = strtod(s, &end);
  printf("strtod(\"%s\")=%.17g end=%ld errno=%d\n", s, v, (long)(end - s), errno);
}
int main(void) {
  l("  -42xyz", 10); l("0x1F", 0); l("0x", 16); l("0x", 0); l("017", 0); l("9223372036854775808", 10);
  l("-9223372036854775809", 10); l("zz", 36); l("", 10); l("+", 10); l("12", 1);
  ul("-1", 10); ul("18446744073709551616", 10); ul("-18446744073709551616", 10); ul("  0b101", 0);
  d("3.14159"); d("  -1e-3x"); d("1e400"); d("1e-400"); d("inf"); d("-Infinity"); d("nanx"); d("0x1.8p3"); d("0x"); d(".5e"); d("abc");
  d("2.2250738585072011e-308"); d("0x1p-1074"); d("123456789012345678901234567890");
  printf("%d %d %ld %lld\n", atoi("  123abc"), atoi("99999999999"), atol("-5"), atoll("9000000000"));
  printf("%f\n", atof("2.5"));
  return 0;
}`,
  'qsort is stable and calls the comparator in glibc\'s order; bsearch': String.raw`
#include <stdio.h>
#include <stdlib.h>
struct item { int key; int seq; };
struct big { int key; char pad[60]; };
static int calls;
static int by_key(const void *a, const void *b) {
  const struct item *x = a, *y = b; calls++;
  printf("(%d,%d)", x->key, y->key);
  return x->key - y->key;
}
static int big_key(const void *a, const void *b) { return ((const struct big *)a)->key - ((const struct big *)b)->key; }
static int icmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
int main(void) {
  struct item v[9] = {{3,0},{1,1},{3,2},{2,3},{1,4},{9,5},{2,6},{0,7},{3,8}};
  qsort(v, 9, sizeof v[0], by_key);
  printf("\n%d calls:", calls);
  for (int i = 0; i < 9; i++) printf(" %d.%d", v[i].key, v[i].seq);
  printf("\n");
  struct big bv[40];
  for (int i = 0; i < 40; i++) { bv[i].key = (i * 17) % 40; bv[i].pad[0] = (char)i; }
  qsort(bv, 40, sizeof bv[0], big_key);
  for (int i = 0; i < 40; i++) printf("%d:%d ", bv[i].key, bv[i].pad[0]);
  printf("\n");
  int a[300]; for (int i = 0; i < 300; i++) a[i] = (i * 7919) % 300;
  qsort(a, 300, sizeof a[0], icmp);
  int ok = 1; for (int i = 0; i < 300; i++) ok &= a[i] == i;
  int key = 123; int *f = bsearch(&key, a, 300, sizeof a[0], icmp);
  key = 1000; int *g = bsearch(&key, a, 300, sizeof a[0], icmp);
  printf("%d %ld %d\n", ok, (long)(f - a), g == 0);
  return 0;
}`,
  'rand and srand follow glibc\'s sequence': String.raw`
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  for (int i = 0; i < 5; i++) printf("%d ", rand());
  srand(42); for (int i = 0; i < 5; i++) printf("%d ", rand());
  srand(0); printf("%d ", rand());
  srand(4294967295u); printf("%d\n", rand());
  return 0;
}`,
  'heap layout with stdio buffers in it': String.raw`
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  char *a = malloc(10);
  printf("first\n");
  char *b = malloc(10);
  char *c = malloc(5000);
  free(a);
  char *d = malloc(10);
  printf("%ld %ld %ld\n", (long)(b - a), (long)(c - a), (long)(d - a));
  return 0;
}`,
  'exit runs atexit handlers in reverse and flushes; stderr is unbuffered': String.raw`
#include <stdio.h>
#include <stdlib.h>
static void one(void) { printf("one\n"); }
static void two(void) { printf("two "); }
int main(void) {
  atexit(one); atexit(two);
  printf("partial line");
  fprintf(stderr, "err %d\n", 1);
  exit(5);
}`,
  'assert failure': String.raw`
#include <assert.h>
#include <stdio.h>
int main(void) {
  int x = 2;
  printf("before\n");
  assert(x == 3);
  return 0;
}`,
  'sscanf': String.raw`
#include <stdio.h>
int main(void) {
  int a = 0, b = 0, n = 0; char s[16] = "", t[16] = ""; double f = 0; unsigned u = 0; long l = 0; char c = 0;
  int r = sscanf("  12 0x1f word 3.5e2 rest", "%d %i %15s %lf%n", &a, &b, s, &f, &n);
  printf("%d %d %d %s %g %d\n", r, a, b, s, f, n);
  r = sscanf("abc123def", "%[a-z]%u%c", t, &u, &c); printf("%d %s %u %c\n", r, t, u, c);
  r = sscanf("", "%d", &a); printf("%d\n", r);
  r = sscanf("x", "%d", &a); printf("%d\n", r);
  r = sscanf("-77 99999999999", "%ld %d", &l, &a); printf("%d %ld %d\n", r, l, a);
  r = sscanf("12:34", "%d:%d", &a, &b); printf("%d %d %d\n", r, a, b);
  r = sscanf("100%", "%d%%", &a); printf("%d %d\n", r, a);
  return 0;
}`,
  'errno, strerror and perror': String.raw`
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
int main(void) {
  int fd = open("/no/such/file", O_RDONLY);
  printf("%d %d %s\n", fd, errno, strerror(errno));
  perror("open");
  errno = 0; printf("%s|%s|%s\n", strerror(0), strerror(22), strerror(999));
  long w = write(-1, "x", 1); printf("%ld %d\n", w, errno);
  printf("%ld %d\n", sysconf(_SC_PAGESIZE), getpagesize());
  return 0;
}`,
  'stdin at end of file': String.raw`
#include <stdio.h>
int main(void) {
  int c, n = 0, x = 5;
  printf("prompt> ");
  while ((c = getchar()) != EOF) n++;
  printf("%d %d %d %d\n", n, feof(stdin) != 0, scanf("%d", &x), x);
  return 0;
}`,
  "a double free aborts with glibc's message": String.raw`
#include <stdio.h>
#include <stdlib.h>
int main(void) {
  char *p = malloc(40);
  printf("freeing twice\n");
  free(p);
  free(p);
  printf("not reached\n");
  return 0;
}`,
  'an overflow that smashes the top chunk is caught by the next malloc': String.raw`
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  char *p = malloc(24);
  memset(p, 0xff, 40);
  printf("overflowed\n");
  char *q = malloc(5000);
  printf("not reached %p\n", (void *)q);
  return 0;
}`,
};

describe('libc: whole programs against glibc', function () {
  this.timeout(20000);
  for (const [name, source] of Object.entries(PROGRAMS)) {
    it(name, function () {
      const want = runGlibc(source);
      if (want === undefined) this.skip();
      const got = runKmemlab(source);
      assert.deepEqual(normalize(got), normalize(want!));
    });
  }
});
