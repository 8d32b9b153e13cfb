#include "store/walvfs.h"

#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Gathered bytes are written out before they pass this size, even before
 * the commit frame: SQLite's unix VFS writes at most 128 KiB - 1 in one
 * call (it masks the length with 0x1ffff), 31 frames of 4 KiB pages. */
#define GATHER_MAX 0x1ffffu

/* SQLite's WAL frame header is 24 bytes (the WAL header 32, pages 512 or
 * more); its bytes 4 to 7 hold the database size after the commit in a
 * commit frame, zero in any other. */
#define FRAME_HDR 24

struct wfile {
	sqlite3_file base;   /* base.pMethods: ours */
	sqlite3_file *real;  /* the default VFS's file, stored after this */
	int gather;          /* a WAL file: gather its writes */
	int commit;          /* the last frame header gathered is a commit's */
	unsigned char *buf;  /* gathered bytes: len of GATHER_MAX */
	size_t len;
	sqlite3_int64 at;    /* where in the file buf[0] goes */
};

/* The wrapped VFS; ours is a copy with xOpen and szOsFile changed, so
 * SQLite calls the wrapped one's other methods with our sqlite3_vfs,
 * which the unix VFS's ignore (only its xOpen reads it, and that gets
 * root). */
static sqlite3_vfs *root;
static sqlite3_vfs vfs;

#define REAL(f) (((struct wfile *)(f))->real)
#define RM(f) (REAL(f)->pMethods)

/* Write out what is gathered; on error it is dropped: SQLite gives up the
 * transaction whose frames they were. */
static int put_out(struct wfile *w)
{
	int rc = SQLITE_OK;

	if (w->len)
		rc = RM(w)->xWrite(REAL(w), w->buf, (int)w->len, w->at);
	w->len = 0;
	return rc;
}

/* The buffer, made at the first write. */
static int grow(struct wfile *w)
{
	if (!w->buf)
		w->buf = malloc(GATHER_MAX);
	return w->buf ? 0 : -1;
}

static int is_commit_hdr(const unsigned char *p)
{
	return p[4] | p[5] | p[6] | p[7];
}

static int w_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct wfile *w = (struct wfile *)f;
	size_t size = (size_t)n;
	int rc, ends = 0, joins;

	if (!w->gather)
		return RM(f)->xWrite(REAL(f), p, n, off);
	/* A frame is its header, then its page: the page of a commit frame
	 * completes the commit. */
	if (n == FRAME_HDR)
		w->commit = is_commit_hdr(p);
	else
		ends = w->commit, w->commit = 0;
	/* Only bytes that follow the gathered ones join them. */
	joins = w->len && off == w->at + (sqlite3_int64)w->len &&
		w->len + size <= GATHER_MAX;
	if (!joins && (rc = put_out(w)) != SQLITE_OK)
		return rc;
	/* A commit's header that follows nothing gathered may be SQLite
	 * rewriting the checksums of frames it wrote over (it reads each
	 * frame back first): then no page follows it before the commit is
	 * visible, so it goes out now. */
	if ((!joins && n == FRAME_HDR && w->commit) || size > GATHER_MAX ||
	    grow(w) < 0)
		return RM(f)->xWrite(REAL(f), p, n, off);
	if (!w->len)
		w->at = off;
	memcpy(w->buf + w->len, p, size);
	w->len += size;
	return ends ? put_out(w) : SQLITE_OK;
}

static int w_close(sqlite3_file *f)
{
	struct wfile *w = (struct wfile *)f;
	int rc = put_out(w), rc2 = RM(f)->xClose(REAL(f));

	free(w->buf);
	w->buf = NULL;
	return rc != SQLITE_OK ? rc : rc2;
}

static int w_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	int rc = put_out((struct wfile *)f);

	return rc != SQLITE_OK ? rc : RM(f)->xRead(REAL(f), p, n, off);
}

static int w_truncate(sqlite3_file *f, sqlite3_int64 size)
{
	int rc = put_out((struct wfile *)f);

	return rc != SQLITE_OK ? rc : RM(f)->xTruncate(REAL(f), size);
}

static int w_sync(sqlite3_file *f, int flags)
{
	int rc = put_out((struct wfile *)f);

	return rc != SQLITE_OK ? rc : RM(f)->xSync(REAL(f), flags);
}

static int w_file_size(sqlite3_file *f, sqlite3_int64 *size)
{
	int rc = put_out((struct wfile *)f);

	return rc != SQLITE_OK ? rc : RM(f)->xFileSize(REAL(f), size);
}

static int w_file_control(sqlite3_file *f, int op, void *arg)
{
	int rc = put_out((struct wfile *)f);

	return rc != SQLITE_OK ? rc : RM(f)->xFileControl(REAL(f), op, arg);
}

/* The rest pass straight through. */
static int w_lock(sqlite3_file *f, int l)
{
	return RM(f)->xLock(REAL(f), l);
}

static int w_unlock(sqlite3_file *f, int l)
{
	return RM(f)->xUnlock(REAL(f), l);
}

static int w_check_reserved(sqlite3_file *f, int *out)
{
	return RM(f)->xCheckReservedLock(REAL(f), out);
}

static int w_sector_size(sqlite3_file *f)
{
	return RM(f)->xSectorSize(REAL(f));
}

static int w_device(sqlite3_file *f)
{
	return RM(f)->xDeviceCharacteristics(REAL(f));
}

static int w_shm_map(sqlite3_file *f, int pg, int sz, int extend,
		     void volatile **out)
{
	return RM(f)->xShmMap(REAL(f), pg, sz, extend, out);
}

static int w_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return RM(f)->xShmLock(REAL(f), off, n, flags);
}

static void w_shm_barrier(sqlite3_file *f)
{
	RM(f)->xShmBarrier(REAL(f));
}

static int w_shm_unmap(sqlite3_file *f, int del)
{
	return RM(f)->xShmUnmap(REAL(f), del);
}

static int w_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **out)
{
	return RM(f)->xFetch(REAL(f), off, n, out);
}

static int w_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return RM(f)->xUnfetch(REAL(f), off, p);
}

/* Version 3, as the wrapped file's methods must be (walvfs_register). */
static const sqlite3_io_methods methods = {
	3,
	w_close,
	w_read,
	w_write,
	w_truncate,
	w_sync,
	w_file_size,
	w_lock,
	w_unlock,
	w_check_reserved,
	w_file_control,
	w_sector_size,
	w_device,
	w_shm_map,
	w_shm_lock,
	w_shm_barrier,
	w_shm_unmap,
	w_fetch,
	w_unfetch,
};

static int w_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *f,
		  int flags, int *out_flags)
{
	struct wfile *w = (struct wfile *)f;
	int rc;

	(void)v;
	memset(w, 0, sizeof(*w));
	w->real = (sqlite3_file *)(w + 1);
	rc = root->xOpen(root, name, w->real, flags, out_flags);
	/* SQLite closes a file whose pMethods is set, even after a failed
	 * open; the wrapped VFS decides whether there is one to close. */
	if (w->real->pMethods) {
		if (w->real->pMethods->iVersion < 3) {
			w->real->pMethods->xClose(w->real);
			return SQLITE_CANTOPEN;
		}
		f->pMethods = &methods;
	}
	w->gather = rc == SQLITE_OK && (flags & SQLITE_OPEN_WAL);
	return rc;
}

int walvfs_register(void)
{
	if (root)
		return SQLITE_OK;
	if (!(root = sqlite3_vfs_find(NULL)))
		return SQLITE_ERROR;
	vfs = *root;
	vfs.szOsFile = (int)sizeof(struct wfile) + root->szOsFile;
	vfs.zName = WALVFS_NAME;
	vfs.pNext = NULL;
	vfs.xOpen = w_open;
	return sqlite3_vfs_register(&vfs, 0);
}
