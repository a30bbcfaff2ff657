"""Hand Streamlit charts their data as Arrow bytes, serialised once per tick."""
from __future__ import annotations


def share_datasets(figs: dict[str, dict]) -> None:
    """Serialise each DataFrame in the Vega-Lite specs' `datasets` to Arrow once, straight from its NumPy
    columns, and put the bytes in its place (Streamlit ships bytes as they are). Skipping pandas' Arrow path
    and the repeats (several charts share one frame) roughly halves the serialising cost of a 1-D tick."""
    try:
        import pyarrow as pa
        from streamlit.dataframe_util import convert_arrow_table_to_arrow_bytes
    except ImportError:  # another Streamlit layout: let it serialise each chart's data itself
        return
    done: dict[int, bytes] = {}
    for spec in figs.values():
        datasets = spec.get("datasets", {})
        for name, df in datasets.items():
            if isinstance(df, bytes):
                continue
            if id(df) not in done:
                table = pa.table({str(col): df[col].to_numpy() for col in df.columns})
                done[id(df)] = convert_arrow_table_to_arrow_bytes(table)
            datasets[name] = done[id(df)]
