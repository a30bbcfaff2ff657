"""The CGAN page's Quality tab: the judge's scores of a generator, recorded in its file or measured now."""
from __future__ import annotations

import streamlit as st

from gan_core.cgan import checkpoint, figures
from gan_core.cgan.latent import LoadedModel
from gan_core.cgan.metrics import evaluate
from ui import lifecycle, notes
from ui.charts import figure_of, vega_chart
from ui.cgan_resources import judge_baseline, load_judge
from ui.settings import global_seed

QUALITY_SAMPLES = 200  # per digit, for the on-page measurement (a few seconds)


def _measure(model: LoadedModel) -> None:
    judge, _ = load_judge()
    st.session_state.setdefault("cgan_quality", {})[model.id] = evaluate(
        model.generator, judge, QUALITY_SAMPLES, seed=global_seed(), baseline=judge_baseline())


def _show_quality(q: dict, label: str) -> None:
    a, b, c, d = st.columns(4)
    a.metric("Conditional accuracy", f"{q['conditional_accuracy']:.1%}",
             help="Share of generated digits the judge reads as the requested digit")
    b.metric("Diversity vs real", f"{q['diversity_ratio']:.2f}",
             help="Mean pairwise distance between judge features of generated digits, divided by the same "
                  "for real digits of that class. 1 = as varied as real handwriting; far below 1 = mode collapse.")
    c.metric("Fréchet distance", f"{q['mean_frechet']:.1f}",
             help=f"Mean over digits, between Gaussians fitted to judge features of {q['frechet_sample_size']} "
                  "generated and real digits per class. Lower is closer to real.")
    d.metric("Fréchet, real vs real", f"{q['mean_real_frechet']:.1f}",
             help="The floor: two disjoint halves of the real digits compared the same way.")
    st.caption(label)
    vega_chart(*figure_of(q["per_class"], figures.per_class_quality), width="content")  # built once per result


def quality_view(model: LoadedModel | None) -> None:
    st.markdown(notes.sections("cgan")["quality"])
    try:
        _, judge_meta = load_judge()
        st.caption(f"Judge: a small CNN, {judge_meta.get('held_out_accuracy', float('nan')):.1%} accurate on "
                   f"{judge_meta.get('held_out_digits')} held-out real digits.")
    except checkpoint.CheckpointError as exc:
        st.error(f"The judge classifier cannot be loaded, so quality cannot be measured: {exc}")
        return
    if model is None:
        st.info("No generator to measure: load a checkpoint or train one.")
        return
    stored = model.meta.get("quality")
    if stored:
        _show_quality(stored, f"Recorded when this checkpoint was made: {stored['samples_per_class']} samples "
                              "per digit (see its JSON).")
        curve = model.meta.get("accuracy_vs_time")
        if curve:
            vega_chart(*figure_of(curve, figures.accuracy_vs_time), width="stretch")
    st.button(f"Measure this generator now ({QUALITY_SAMPLES} samples per digit)", key="cgan_measure",
              on_click=lifecycle.callback("cgan", "Measure", _measure), args=(model,), icon=":material/straighten:")
    measured = st.session_state.get("cgan_quality", {}).get(model.id)
    if measured:
        _show_quality(measured, f"Measured now: {QUALITY_SAMPLES} samples per digit, seed {measured['seed']}.")
