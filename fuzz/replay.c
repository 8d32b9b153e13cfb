/*
 * replay.c - a harness without libFuzzer: runs LLVMFuzzerTestOneInput on
 * every file named on the command line, and every file in every
 * directory named, so that `make check` builds each harness with the
 * normal compiler and replays its seeds and saved inputs.  A harness that
 * crashes or aborts on one fails the run; one that stops compiling
 * fails the build.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data = NULL;
	size_t n = 0, cap = 0, got;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			data = realloc(data, cap);
			if (!data)
				abort();
		}
		got = fread(data + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	LLVMFuzzerTestOneInput(data, n);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	int i, runs = 0, bad = 0;

	for (i = 1; i < argc; i++) {
		struct stat sb;
		struct dirent **names;
		int k, n;

		if (stat(argv[i], &sb) < 0) {
			perror(argv[i]);
			bad++;
			continue;
		}
		if (!S_ISDIR(sb.st_mode)) {
			bad += run_file(argv[i]) < 0;
			runs++;
			continue;
		}
		/* In name order, so that a failure is found again the same
		 * way. */
		n = scandir(argv[i], &names, NULL, alphasort);
		for (k = 0; k < n; k++) {
			char path[4096];
			if (names[k]->d_name[0] != '.') {
				snprintf(path, sizeof(path), "%s/%s", argv[i],
					 names[k]->d_name);
				bad += run_file(path) < 0;
				runs++;
			}
			free(names[k]);
		}
		free(n >= 0 ? names : NULL);
	}
	printf("%d inputs replayed\n", runs);
	return bad ? 1 : 0;
}
