/*
 * In-memory ephemeris files for the Swiss Ephemeris in WebAssembly.
 *
 * Why: a Worker has no file system, but the library reads its .se1 files only
 * through fopen(). build-wasm.sh compiles the library with -Dfopen=astro_fopen,
 * so every open lands here; the host copies each file into linear memory once
 * and registers it by base name, and we serve it with musl's fmemopen().
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ASTRO_MAX_FILES 8
#define ASTRO_MAX_NAME 64

struct astro_file {
  char name[ASTRO_MAX_NAME];
  void *data;
  size_t len;
};

static struct astro_file files[ASTRO_MAX_FILES];
static int file_count;

/* Returns 0 on success, -1 when the table is full or the name is too long. */
__attribute__((export_name("astro_register_file")))
int astro_register_file(const char *name, void *data, size_t len) {
  if (file_count >= ASTRO_MAX_FILES || strlen(name) >= ASTRO_MAX_NAME) return -1;
  strcpy(files[file_count].name, name);
  files[file_count].data = data;
  files[file_count].len = len;
  file_count++;
  return 0;
}

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *backslash = strrchr(path, '\\');
  const char *last = slash > backslash ? slash : backslash;
  return last ? last + 1 : path;
}

FILE *astro_fopen(const char *path, const char *mode) {
  /* The library never writes files in the code paths we export. */
  if (mode[0] != 'r') {
    errno = EROFS;
    return NULL;
  }
  const char *name = base_name(path);
  for (int i = 0; i < file_count; i++) {
    if (strcmp(files[i].name, name) == 0) return fmemopen(files[i].data, files[i].len, "rb");
  }
  errno = ENOENT;
  return NULL;
}
