/*
 * walvfs.h - a SQLite VFS that writes each WAL commit in a few large writes.
 *
 * SQLite appends a commit to the write-ahead log one frame at a time, and
 * each frame as two writes: its 24-byte header, then the page.  A commit
 * of 5,000 readings is about 120 frames, so 240 pwrite calls, all made
 * while the write lock is held, where every microsecond is taken from
 * every writer.  This VFS wraps the system's default one and, for WAL
 * files only, gathers writes that follow each other in memory, then hands
 * them to the default VFS when the frame that ends a commit is complete,
 * in writes of up to 128 KiB (the most the unix VFS writes at once).
 *
 * What ends up in the file, and its order, is exactly what SQLite wrote:
 * only the number of system calls changes.  Readers cannot see a frame
 * that is still in memory: SQLite makes a commit visible by updating the
 * WAL index after the commit frame is written, and that write is where
 * the gathered bytes go out.  Anything else done to the WAL file (a read,
 * a sync, its size, a truncation, closing it) writes out what is gathered
 * first; so does a write that does not follow the gathered ones.  A
 * commit frame's header that follows nothing gathered goes out at once:
 * SQLite rewrites frame checksums that way, a header alone after a read.
 * A failed write out is the error of the write or call that caused it,
 * as it would have been without this VFS.
 *
 * Frames of a transaction not yet committed (a spill of a large one) may
 * sit in memory until the commit; a crash loses them, as it loses the
 * uncommitted transaction anyway.
 */
#ifndef HEARTH_WALVFS_H
#define HEARTH_WALVFS_H

/* The name to give sqlite3_open_v2. */
#define WALVFS_NAME "hearth-wal"

/*
 * walvfs_register: register the VFS (not as the default) on top of the
 * current default VFS.  Safe to call more than once; not thread-safe, so
 * call it from a pthread_once.  Returns a SQLite result code: SQLITE_OK,
 * or the error of sqlite3_vfs_register.
 */
int walvfs_register(void);

#endif
