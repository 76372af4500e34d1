"""Start-up: what loading the model imports, the fitted type head without scikit-learn,
the base encoder built without AutoModel, and the CLI's "Loading model" line."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
#: what a model load must not import: training, data-set and table libraries (about a second each)
DEFERRED = ("sklearn", "pandas", "pyarrow", "datasets", "peft", "scipy.stats")
# Made-up article text, written for these tests.
ARTICLE = "According to Mayor Lena Fairweather, the ferry terminal will open in June.\n"


def _env() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    env.update(OMP_NUM_THREADS="1", TERM="xterm-256color", COLUMNS="100")
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        env.pop(name, None)
    return env


def _imported_after(code: str) -> list[str]:
    """The :data:`DEFERRED` modules in ``sys.modules`` after running ``code`` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {DEFERRED!r} if m in sys.modules]))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), cwd=REPO, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_import_claimcheck_loads_no_model_code():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, claimcheck; print(sorted(m for m in sys.modules if m.startswith(('claimcheck.pipeline', 'numpy', 'torch'))))",
        ],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_loading_the_default_model_imports_no_training_libraries():
    code = (
        "from claimcheck import Checker\nchecker = Checker.load()\nchecker.check('The plan will fail, Jane Doe said.')"
    )
    assert _imported_after(code) == []


# -- the type head without scikit-learn -------------------------------------------------------


def _toy_data(n: int = 90, seed: int = 0) -> tuple[list[dict[str, float]], np.ndarray, list[str]]:
    rng = np.random.default_rng(seed)
    labels = [("named_person", "anonymous", "publication")[i % 3] for i in range(n)]
    vectors = rng.normal(size=(n, 6)).astype(np.float32)
    vectors[:, 0] += np.array([{"named_person": 2.0, "anonymous": -2.0, "publication": 0.0}[y] for y in labels])
    feats = [
        {f"w={y[:4]}": 1.0, "shape": float(rng.integers(0, 3))} if i % 4 else {"rare": 1.0}
        for i, y in enumerate(labels)
    ]
    return feats, vectors, labels


def test_type_head_gives_the_fitted_estimators_logits(tmp_path):
    """The head applies its fitted arrays itself; the logits are scikit-learn's own, to the bit."""
    from scipy import sparse
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from claimcheck.models.type_head import SpanTypeHead

    feats, vectors, labels = _toy_data()
    head = SpanTypeHead(C=0.5, dense_weight=0.7).fit_features(feats, vectors, labels)
    vectorizer, scaler = DictVectorizer(), StandardScaler()
    x = sparse.hstack([sparse.csr_matrix(scaler.fit_transform(vectors) * 0.7), vectorizer.fit_transform(feats)])
    model = LogisticRegression(C=0.5, max_iter=3000).fit(x.tocsr(), labels)

    new_feats = [*feats[:5], {"never_seen": 1.0, "shape": 2.0}, {}]
    new_vectors = np.random.default_rng(1).normal(size=(len(new_feats), 6)).astype(np.float32)
    expected = model.decision_function(
        sparse.hstack([sparse.csr_matrix(scaler.transform(new_vectors) * 0.7), vectorizer.transform(new_feats)]).tocsr()
    )
    assert head.classes_ == [str(c) for c in model.classes_]
    np.testing.assert_array_equal(head.decision_function(new_feats, new_vectors), expected)

    head.save(tmp_path)
    again = SpanTypeHead.load(tmp_path)
    np.testing.assert_array_equal(again.decision_function(new_feats, new_vectors), expected)
    assert again.classes_ == head.classes_ and again.temperature_ == head.temperature_


def test_type_head_balanced_weights_each_type_alike(tmp_path):
    """``class_weight="balanced"`` is scikit-learn's own weighting, and it survives saving."""
    from scipy import sparse
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from claimcheck.models.type_head import SpanTypeHead

    feats, vectors, labels = _toy_data()
    keep = [i for i, y in enumerate(labels) if y != "anonymous" or i % 5 == 0]  # few anonymous
    feats, vectors, labels = [feats[i] for i in keep], vectors[keep], [labels[i] for i in keep]
    head = SpanTypeHead(class_weight="balanced").fit_features(feats, vectors, labels)
    x = sparse.hstack(
        [sparse.csr_matrix(StandardScaler().fit_transform(vectors)), DictVectorizer().fit_transform(feats)]
    )
    model = LogisticRegression(class_weight="balanced", max_iter=3000).fit(x.tocsr(), labels)
    np.testing.assert_allclose(head.coef_, model.coef_)
    assert not np.allclose(head.coef_, SpanTypeHead().fit_features(feats, vectors, labels).coef_)
    head.save(tmp_path)
    assert SpanTypeHead.load(tmp_path).class_weight == "balanced"


# -- the base encoder without AutoModel -------------------------------------------------------


def _encode(encoder, tokenizer):
    import torch

    ids = torch.tensor([tokenizer("The mayor said the pier will reopen in May.")["input_ids"]])
    with torch.inference_mode():
        return encoder(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state


def test_base_encoder_is_the_one_from_pretrained_gives(tiny_encoder, tmp_path):
    import shutil

    import torch
    from safetensors.torch import load_file, save_file
    from transformers import AutoModel

    from claimcheck.models.tagger import _bert_from_weights, load_encoder

    reference = AutoModel.from_pretrained(str(tiny_encoder)).eval()
    # as old transformers saved BERT: with the position_ids buffer among the weights
    old_style = tmp_path / "old-style"
    shutil.copytree(tiny_encoder, old_style)
    weights = load_file(str(old_style / "model.safetensors"))
    weights["embeddings.position_ids"] = torch.arange(512).unsqueeze(0)
    save_file(weights, str(old_style / "model.safetensors"))
    for folder in (tiny_encoder, old_style):
        assert _bert_from_weights(folder) is not None  # the direct path, not the fallback
        encoder, tokenizer = load_encoder(folder)
        assert not encoder.training
        assert encoder.config._attn_implementation == reference.config._attn_implementation
        got, want = encoder.state_dict(), reference.state_dict()
        assert set(got) == set(want) and all(torch.equal(got[k], want[k]) for k in want)
        assert torch.equal(_encode(encoder, tokenizer), _encode(reference, tokenizer))


def test_base_encoder_that_does_not_fit_goes_through_from_pretrained(tiny_encoder, tmp_path):
    """Weights saved under another prefix (a BertForMaskedLM checkpoint, say) are left to transformers."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from claimcheck.models.tagger import _bert_from_weights, load_encoder

    folder = tmp_path / "prefixed"
    shutil.copytree(tiny_encoder, folder)
    weights = load_file(str(folder / "model.safetensors"))
    save_file({f"bert.{k}": v for k, v in weights.items()}, str(folder / "model.safetensors"))
    assert _bert_from_weights(folder) is None
    encoder, _ = load_encoder(folder)
    assert torch.equal(
        encoder.state_dict()["embeddings.word_embeddings.weight"], weights["embeddings.word_embeddings.weight"]
    )


# -- "Loading model" on a terminal, nothing on a pipe -------------------------------------------


def _run_on_terminal(args: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run ``python -m claimcheck ARGS`` with its stderr on a pseudo-terminal; (exit code, what it wrote there)."""
    import pty

    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "claimcheck", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=slave,
        env=_env(),
        cwd=REPO,
    )
    os.close(slave)
    chunks, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
    finally:
        os.close(master)
        code = proc.wait(timeout=60)
    return code, b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_check_says_loading_model_on_a_terminal(tmp_path):
    article = tmp_path / "ferry.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    code, terminal = _run_on_terminal(["check", str(article), "--model", "baseline"])
    assert code == 0, terminal
    assert "Loading model baseline" in terminal


def test_check_says_nothing_of_loading_on_a_pipe(tmp_path):
    article = tmp_path / "ferry.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    out = subprocess.run(
        [sys.executable, "-m", "claimcheck", "check", str(article), "--model", "baseline", "--format", "json"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=REPO,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    reports = json.loads(out.stdout)
    assert (reports[0] if isinstance(reports, list) else reports)["claims"]


def test_check_bar_moves_with_every_article(tmp_path, monkeypatch):
    """Three articles: the bar advances three times, one article each (not once, at the end)."""
    from rich.progress import Progress
    from typer.testing import CliRunner

    from claimcheck import cli

    steps: list[float] = []

    class Recording(Progress):
        def advance(self, task_id, advance: float = 1) -> None:
            steps.append(advance)
            super().advance(task_id, advance)

    monkeypatch.setattr(cli, "Progress", Recording)
    files = []
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
        files.append(str(tmp_path / f"{name}.txt"))
    result = CliRunner().invoke(cli.app, ["check", *files, "--model", "baseline", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert steps == [1, 1, 1]
