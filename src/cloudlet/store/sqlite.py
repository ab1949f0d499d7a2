"""Embedded SQLite store: one database file in the data dir (or in memory).

WAL journal. A commit is written to the WAL file before `run` returns, so an acknowledged write
survives a kill -9 of the server (the OS holds the written pages). How much survives an OS crash
or power cut is the `durability` setting (SQLite's `synchronous`):
- "process" (OFF): nothing is fsynced; fastest; an OS crash can lose recent writes and, if it
  hits a checkpoint, damage the file.
- "os" (NORMAL): checkpoints are fsynced; an OS crash loses at most the last commits.
- "full" (FULL): every commit is fsynced.
Measured here with random keys: ~17 us per insert with "process", ~35-46 us with "os"
(the checkpoints' fsyncs), so "process" is the default of a local development server.

Units of work run inline on the event loop (their SQL takes microseconds; a thread hop would cost
more). The connection always has a transaction open: reads run in it (opening a read transaction
per statement cost half of a point read), and write units share it until the group is committed
(group commit: on the loop turn after its first write, or up to MAX_COMMIT_WAITS turns later while
more writers keep joining): each unit runs inside a savepoint, so a failing unit undoes only its
own changes, and each caller is answered only after the shared `COMMIT` (then `BEGIN` again).
A commit costs ~3x an insert here, so sharing one matters under concurrent writes. Reads on the
one connection may see writes of the open group before their commit is done; those writes are
acknowledged only once committed.
"""

from __future__ import annotations

import asyncio
import fcntl
import itertools
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import TypeVar

from cloudlet.store.base import RowKey

T = TypeVar("T")

# Ordered schema migrations; PRAGMA user_version records how many ran.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE meta (
        ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT NULL,
        PRIMARY KEY (ns, key)
    ) WITHOUT ROWID;
    CREATE TABLE item_tables (table_id TEXT PRIMARY KEY) WITHOUT ROWID;
    """,
]

FETCH_ALL_ROWS = 100  # item_range reads up to this many rows in one call
MAX_COMMIT_WAITS = 4  # loop turns a group commit may wait for more writers
DURABILITY = {"process": "OFF", "os": "NORMAL", "full": "FULL"}
_TABLE_ID = re.compile(r"^[A-Za-z0-9_]{1,64}$")


class _Sql:
    """The statements of one item table, built once."""

    __slots__ = ("delete", "get", "name", "put", "ranges", "stats")

    def __init__(self, table_id: str) -> None:
        if not _TABLE_ID.match(table_id):
            raise ValueError(f"bad table id {table_id!r}")
        n = self.name = f"items_{table_id}"
        self.get = f"SELECT data FROM {n} WHERE h=? AND pk=? AND sk=?"
        self.put = f"INSERT OR REPLACE INTO {n} (h, pk, sk, data, size) VALUES (?,?,?,?,?)"
        self.delete = f"DELETE FROM {n} WHERE h=? AND pk=? AND sk=?"
        self.stats = f"SELECT count(*), coalesce(sum(size), 0) FROM {n}"
        self.ranges: dict[tuple[bool, ...], str] = {}  # item_range's statement per bounds shape


class SqliteTxn:
    """The `Txn` of the SQLite store: thin methods over one connection.

    Inside a write unit, statements that change data are collected and applied when the unit
    returns (see `SqliteStore.run`), so a unit that raises leaves no trace and needs no savepoint.
    """

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._c = conn
        self._sql: dict[str, _Sql] = {}
        self._writes: list[tuple[str, tuple[object, ...]]] | None = None

    def _write(self, sql: str, args: tuple[object, ...] = ()) -> None:
        if self._writes is None:
            raise RuntimeError("writes need a write unit: store.run(fn, write=True)")
        self._writes.append((sql, args))

    def _s(self, table_id: str) -> _Sql:
        s = self._sql.get(table_id)
        if s is None:
            s = self._sql[table_id] = _Sql(table_id)
        return s

    # -- metadata
    def meta_get(self, ns: str, key: str) -> bytes | None:
        row = self._c.execute("SELECT value FROM meta WHERE ns=? AND key=?", (ns, key)).fetchone()
        return row[0] if row else None

    def meta_put(self, ns: str, key: str, value: bytes) -> None:
        self._write("INSERT OR REPLACE INTO meta (ns, key, value) VALUES (?,?,?)", (ns, key, value))

    def meta_delete(self, ns: str, key: str) -> None:
        self._write("DELETE FROM meta WHERE ns=? AND key=?", (ns, key))

    def meta_list(self, ns: str) -> list[tuple[str, bytes]]:
        sql = "SELECT key, value FROM meta WHERE ns=? ORDER BY key"
        return self._c.execute(sql, (ns,)).fetchall()

    def meta_clear(self, ns: str) -> None:
        self._write("DELETE FROM meta WHERE ns=?", (ns,))

    # -- item tables
    def create_item_table(self, table_id: str) -> None:
        n = self._s(table_id).name
        self._write(
            f"CREATE TABLE IF NOT EXISTS {n} (h INTEGER NOT NULL, pk BLOB NOT NULL,"
            " sk BLOB NOT NULL, data BLOB NOT NULL, size INTEGER NOT NULL,"
            " PRIMARY KEY (h, pk, sk)) WITHOUT ROWID"
        )
        self._write("INSERT OR IGNORE INTO item_tables (table_id) VALUES (?)", (table_id,))

    def drop_item_table(self, table_id: str) -> None:
        self._write(f"DROP TABLE IF EXISTS {self._s(table_id).name}")
        self._write("DELETE FROM item_tables WHERE table_id=?", (table_id,))

    def item_get(self, table_id: str, h: int, pk: bytes, sk: bytes) -> bytes | None:
        row = self._c.execute(self._s(table_id).get, (h, pk, sk)).fetchone()
        return row[0] if row else None

    def item_put(self, table_id: str, h: int, pk: bytes, sk: bytes, data: bytes, size: int) -> None:
        self._write(self._s(table_id).put, (h, pk, sk, data, size))

    def item_delete(self, table_id: str, h: int, pk: bytes, sk: bytes) -> None:
        self._write(self._s(table_id).delete, (h, pk, sk))

    def item_delete_range(self, table_id: str, h: int, pk: bytes, below: bytes) -> None:
        self._write(f"DELETE FROM {self._s(table_id).name} WHERE h=? AND pk=? AND sk<?", (h, pk, below))

    def item_range(
        self,
        table_id: str,
        h: int,
        pk: bytes,
        lo: bytes | None,
        lo_inclusive: bool,
        hi: bytes | None,
        hi_inclusive: bool,
        forward: bool,
        limit: int | None = None,
    ) -> Iterator[tuple[bytes, bytes, int]]:
        s = self._s(table_id)
        shape = (lo is None, lo_inclusive, hi is None, hi_inclusive, forward, limit is None)
        sql = s.ranges.get(shape)
        if sql is None:
            parts = [f"SELECT sk, data, size FROM {s.name} WHERE h=? AND pk=?"]
            if lo is not None:
                parts.append("AND sk >= ?" if lo_inclusive else "AND sk > ?")
            if hi is not None:
                parts.append("AND sk <= ?" if hi_inclusive else "AND sk < ?")
            parts.append("ORDER BY sk" if forward else "ORDER BY sk DESC")
            if limit is not None:
                parts.append("LIMIT ?")
            sql = s.ranges[shape] = " ".join(parts)
        args: list[object] = [h, pk]
        if lo is not None:
            args.append(lo)
        if hi is not None:
            args.append(hi)
        if limit is not None:
            args.append(limit)
            if limit <= FETCH_ALL_ROWS:  # a few rows: one call fetches them all
                return iter(self._c.execute(sql, args).fetchall())
        return self._c.execute(sql, args)  # type: ignore[return-value]

    def item_scan(
        self, table_id: str, after: RowKey | None, h_lo: int, h_hi: int
    ) -> Iterator[tuple[int, bytes, bytes, bytes, int]]:
        n = self._s(table_id).name
        if after is None:
            return self._c.execute(  # type: ignore[return-value]
                f"SELECT h, pk, sk, data, size FROM {n} WHERE h >= ? AND h < ? ORDER BY h, pk, sk",
                (h_lo, h_hi),
            )
        return self._c.execute(  # type: ignore[return-value]
            f"SELECT h, pk, sk, data, size FROM {n} WHERE (h, pk, sk) > (?, ?, ?) AND h < ?"
            " ORDER BY h, pk, sk",
            (*after, h_hi),
        )

    def item_stats(self, table_id: str) -> tuple[int, int]:
        count, size = self._c.execute(self._s(table_id).stats).fetchone()
        return int(count), int(size)


class SqliteStore:
    """`Store` over one SQLite database; `path=None` keeps it in memory."""

    def __init__(self, path: str | None, durability: str = "process", cache_mib: int = 16) -> None:
        if durability not in DURABILITY:
            raise ValueError(f"unknown durability {durability!r}")
        self.path = path
        self.name = "memory" if path is None else "sqlite"
        self.durability = durability
        # The page cache is most of what the server's memory grows by: it fills with whatever was
        # read or written last (function logs included) up to this size, then stays there.
        self.cache_mib = cache_mib
        self._conn: sqlite3.Connection | None = None
        self._txn: SqliteTxn | None = None
        self._pending: list[asyncio.Future[None]] | None = None  # waiters of the open group
        self._seen = 0  # group size when the commit callback last looked
        self._waits = 0  # turns the open group's commit was put off
        self._lock_fd: int | None = None

    async def open(self) -> None:
        self._connect()

    def _connect(self) -> None:
        if self.path is not None:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
            self._lock()
        conn = sqlite3.connect(
            self.path or ":memory:", isolation_level=None, check_same_thread=False,
            cached_statements=512,
        )
        if self.path is not None:
            # Only this process uses the file (see _lock): skip per-transaction file locking and
            # keep the WAL index in process memory (~10% of a write, measured).
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(f"PRAGMA synchronous={DURABILITY[self.durability]}")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.execute(f"PRAGMA cache_size=-{self.cache_mib * 1024}")
        _migrate(conn)
        conn.execute("BEGIN")
        self._conn = conn
        self._txn = SqliteTxn(conn)

    def _lock(self) -> None:
        """One server per database: group commit and the in-memory catalog assume no other
        writer, so a second cloudlet on the same data dir is refused."""
        assert self.path is not None
        fd = os.open(self.path + ".lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise OSError(f"{self.path} is in use by another cloudlet server") from None
        self._lock_fd = fd

    async def close(self) -> None:
        if self._conn is None:
            return
        self._commit_group()
        self._conn.execute("COMMIT")
        if self.path is not None:
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()
        self._conn = None
        self._txn = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    async def run(self, fn: Callable[[SqliteTxn], T], write: bool = False) -> T:
        txn = self._txn
        assert txn is not None, "store is not open"
        if not write:
            return fn(txn)
        conn = txn._c
        writes: list[tuple[str, tuple[object, ...]]] = []
        txn._writes = writes
        try:
            result = fn(txn)
        finally:
            txn._writes = None
        if self._pending is None:
            self._pending = []
            self._seen, self._waits = 0, 0
            asyncio.get_running_loop().call_soon(self._commit_when_quiet)
        if len(writes) == 1:
            conn.execute(*writes[0])  # one statement is atomic by itself
        elif writes:
            conn.execute("SAVEPOINT unit")
            try:
                # Runs of one statement (e.g. a flush of log lines) go to SQLite in one call.
                for sql, run in itertools.groupby(writes, key=_statement):
                    conn.executemany(sql, (args for _, args in run))
            except BaseException:
                conn.execute("ROLLBACK TO unit")
                conn.execute("RELEASE unit")
                raise
            conn.execute("RELEASE unit")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append(done)
        await done
        return result

    def _commit_when_quiet(self) -> None:
        # Writers that joined during the last loop turn suggest more are arriving (concurrent
        # clients): wait a turn for them, so they share the commit (its cost is mostly per commit).
        pending = self._pending
        if pending is not None and len(pending) > max(self._seen, 1) and self._waits < MAX_COMMIT_WAITS:
            self._seen = len(pending)
            self._waits += 1
            asyncio.get_running_loop().call_soon(self._commit_when_quiet)
            return
        self._commit_group()

    def _commit_group(self) -> None:
        waiters, self._pending = self._pending, None
        conn = self._conn
        if waiters is None or conn is None:
            return
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as e:
            conn.execute("ROLLBACK")
            conn.execute("BEGIN")
            for w in waiters:
                if not w.done():
                    w.set_exception(e)
            return
        conn.execute("BEGIN")
        for w in waiters:
            if not w.done():
                w.set_result(None)

    async def reset(self) -> None:
        def drop_all(txn: SqliteTxn) -> None:
            c = txn._c
            for (tid,) in c.execute("SELECT table_id FROM item_tables").fetchall():
                txn.drop_item_table(tid)
            txn._write("DELETE FROM meta")

        await self.run(drop_all, write=True)


def _statement(write: tuple[str, tuple[object, ...]]) -> str:
    return write[0]


def _migrate(conn: sqlite3.Connection) -> None:
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    for i in range(version, len(MIGRATIONS)):
        conn.executescript("BEGIN;" + MIGRATIONS[i] + f"PRAGMA user_version={i + 1}; COMMIT;")
