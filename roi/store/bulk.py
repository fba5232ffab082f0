"""Writing a file's rows in bulk: PostgreSQL's COPY, or executemany on SQLite, in chunks of
100,000 rows inside the import's one transaction."""

from __future__ import annotations

from itertools import repeat

import pandas as pd
from sqlalchemy import Connection, insert

from roi.store.db import DatabaseFailure

_CHUNK_ROWS = 100_000


def _copy_text(frame: pd.DataFrame) -> pd.Series:
    """Each row as a line of PostgreSQL's COPY text format: tab-separated, with backslash,
    tab, newline and carriage return escaped in text, and floats in their shortest exact
    form (read back to the same double). Built column by column, not row by row."""
    parts = []
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_float_dtype(column):
            text = pd.Series([repr(float(v)) for v in column.to_numpy()], index=column.index)
        elif pd.api.types.is_integer_dtype(column):
            text = column.astype("int64").astype(str)
        elif not column.astype(str).str.contains(r"[\\\t\n\r]", regex=True).any():
            text = column.astype(str)
        else:
            text = (
                column.astype(str)
                .str.replace("\\", "\\\\", regex=False)
                .str.replace("\t", "\\t", regex=False)
                .str.replace("\n", "\\n", regex=False)
                .str.replace("\r", "\\r", regex=False)
            )
        parts.append(text)
    line = parts[0]
    for part in parts[1:]:
        line = line + "\t" + part
    return line


def write_rows(conn: Connection, table, frame: pd.DataFrame, dataset_id: int) -> None:
    """Insert a frame's rows into ``table`` for one dataset, inside the caller's transaction:
    PostgreSQL's ``COPY`` (bulk load) in blocks of rows, else the driver's batched
    ``executemany``."""
    try:
        _write_rows(conn, table, frame, dataset_id)
    except conn.dialect.dbapi.Error as error:
        # The driver's own cursor raises the driver's errors: say what failed, in one line.
        lines = str(error).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        raise DatabaseFailure(f"the rows could not be written ({reason})") from error


def _write_rows(conn: Connection, table, frame: pd.DataFrame, dataset_id: int) -> None:
    columns = ["dataset_id", *frame.columns]
    names = ", ".join(f'"{c}"' for c in columns)
    if conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg":
        dbapi = conn.connection.dbapi_connection
        sql = f"COPY {table.name} ({names}) FROM STDIN"
        prefix = f"{int(dataset_id)}\t"
        with dbapi.cursor() as cursor, cursor.copy(sql) as copy:
            for start in range(0, len(frame), _CHUNK_ROWS):
                lines = _copy_text(frame.iloc[start : start + _CHUNK_ROWS])
                copy.write(prefix + ("\n" + prefix).join(lines.tolist()) + "\n")
        return
    placeholders = ", ".join("?" if conn.dialect.paramstyle == "qmark" else "%s" for _ in columns)
    sql = f"INSERT INTO {table.name} ({names}) VALUES ({placeholders})"
    if conn.dialect.paramstyle not in ("qmark", "format"):
        rows = frame.to_dict("records")
        statement = insert(table)
        for begin in range(0, len(rows), _CHUNK_ROWS):
            chunk = rows[begin : begin + _CHUNK_ROWS]
            conn.execute(statement, [{"dataset_id": dataset_id, **row} for row in chunk])
        return
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        for begin in range(0, len(frame), _CHUNK_ROWS):
            chunk = frame.iloc[begin : begin + _CHUNK_ROWS]
            # Whole columns to Python lists: iterating Arrow-backed rows one by one is slow.
            values = [chunk[name].tolist() for name in chunk.columns]
            cursor.executemany(sql, zip(repeat(dataset_id), *values, strict=False))
    finally:
        cursor.close()
