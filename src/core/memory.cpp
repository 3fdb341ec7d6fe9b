#include "core/memory.hpp"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace lockerctl {

double rss_mb() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

void keep_freed_memory() {
  mallopt(M_MMAP_MAX, 0);  // every block from the heap, none mapped on its own
  mallopt(M_TRIM_THRESHOLD, -1);  // and the heap never shrinks (man mallopt: -1 disables trimming)
}

}  // namespace lockerctl
