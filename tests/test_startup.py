"""Start-up: what loading the model and ``claimcheck check`` import, the fitted type head without
scikit-learn, the base encoder and its word pieces without transformers (the same to the bit),
and the CLI's "Loading model" line."""

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

from eval.bench import DEFERRED  # what a model load must not import, stated once in the benchmark

REPO = Path(__file__).resolve().parents[1]

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


# -- the base encoder and its word pieces without transformers -----------------------------------

#: made-up sentences of different lengths (a padded batch), with the characters that tokenizers
#: treat specially: accents, curly quotes, a ligature, emoji, right-to-left script, CJK, controls
SENTENCES = [
    "The mayor said the pier will reopen in May.",
    "“We’re not done,” said Zoë Brandt-Okafor, the café’s owner — the ﬁrst of 3 ﬂoors. 👩‍👩‍👧 🇯🇵",
    "Officials in مرحبا and שלום spoke to 中文 reporters\u00a0today\x07 e\u0301\u200b.",
]


def _reference(folder):
    from transformers import AutoModel, AutoTokenizer

    return AutoModel.from_pretrained(str(folder)).eval(), AutoTokenizer.from_pretrained(str(folder))


def _batch(tokenizer, texts=SENTENCES):
    import torch

    rows = [tokenizer(t)["input_ids"] for t in texts]
    width = max(map(len, rows))
    ids = torch.tensor([r + [tokenizer.pad_token_id] * (width - len(r)) for r in rows])
    mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
    return ids, mask


def _same_hidden_states(ours, theirs, ids, mask, precisions=(False, True)) -> bool:
    """Equal to the bit on the batch, given ids or embeddings, padded or not, in fp32 and bf16 autocast."""
    import torch

    with torch.inference_mode():
        for bf16 in precisions:
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                embeds = theirs.get_input_embeddings()(ids)
                for i, m in ((ids, mask), (ids[:1, : int(mask[0].sum())], mask[:1, : int(mask[0].sum())])):
                    if not torch.equal(
                        ours(input_ids=i, attention_mask=m).last_hidden_state,
                        theirs(input_ids=i, attention_mask=m).last_hidden_state,
                    ):
                        return False
                if not torch.equal(
                    ours(inputs_embeds=embeds, attention_mask=mask).last_hidden_state,
                    theirs(inputs_embeds=embeds, attention_mask=mask).last_hidden_state,
                ):
                    return False
    return True


def _int8(encoder):
    import copy
    import warnings

    import torch
    from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return quantize_dynamic(
            copy.deepcopy(encoder), {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
        )


def test_base_encoder_is_transformers_bert_to_the_bit(tiny_encoder, tmp_path):
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from claimcheck.models.bert import BertEncoder
    from claimcheck.models.tuned_encoder import load_encoder
    from claimcheck.models.wordpieces import WordPieces

    reference, reference_tokenizer = _reference(tiny_encoder)
    # as old transformers saved BERT: with the position_ids buffer among the weights
    old_style = tmp_path / "old-style"
    shutil.copytree(tiny_encoder, old_style)
    weights = load_file(str(old_style / "model.safetensors"))
    weights["embeddings.position_ids"] = torch.arange(512).unsqueeze(0)
    save_file(weights, str(old_style / "model.safetensors"))
    for folder in (tiny_encoder, old_style):
        encoder, tokenizer = load_encoder(folder)
        assert isinstance(encoder, BertEncoder) and isinstance(tokenizer, WordPieces)  # not the fallback
        assert not encoder.training
        got, want = encoder.state_dict(), reference.state_dict()
        assert set(got) == set(want) and all(torch.equal(got[k], want[k]) for k in want)
        ids, mask = _batch(tokenizer)
        assert torch.equal(ids, _batch(reference_tokenizer)[0]) and not mask.all()
        assert _same_hidden_states(encoder, reference, ids, mask)
        assert _same_hidden_states(_int8(encoder), _int8(reference), ids, mask, precisions=(False,))


def test_shipped_encoder_is_transformers_bert_to_the_bit(checker):
    """The default model's own fine-tuned weights, on its own windows of an article."""
    from transformers import BertConfig, BertModel

    from claimcheck.models.encoders import encoder_path
    from claimcheck.models.tagger import pad_batch

    model = checker.model
    reference = BertModel(BertConfig.from_json_file(str(encoder_path(model.settings.base_encoder) / "config.json")))
    reference.load_state_dict(model.network.encoder.state_dict())
    windows = model.windows(" ".join([ARTICLE.strip(), *SENTENCES] * 12))
    assert len(windows) > 1
    ids, mask, _ = pad_batch(windows, model.tokenizer.pad_token_id)
    assert _same_hidden_states(model.network.encoder, reference.eval(), ids, mask)


def test_base_encoder_that_does_not_fit_goes_through_from_pretrained(tiny_encoder, tmp_path):
    """Weights saved under another prefix (a BertForMaskedLM checkpoint, say) are left to transformers."""
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    from claimcheck.models.bert import load_bert
    from claimcheck.models.tuned_encoder import load_encoder

    folder = tmp_path / "prefixed"
    shutil.copytree(tiny_encoder, folder)
    weights = load_file(str(folder / "model.safetensors"))
    save_file({f"bert.{k}": v for k, v in weights.items()}, str(folder / "model.safetensors"))
    assert load_bert(folder) is None
    encoder, _ = load_encoder(folder)
    assert torch.equal(
        encoder.state_dict()["embeddings.word_embeddings.weight"], weights["embeddings.word_embeddings.weight"]
    )


def test_other_encoders_and_tokenizers_go_through_transformers(tiny_mpnet, tiny_encoder, tmp_path):
    import shutil

    from transformers import PreTrainedModel

    from claimcheck.models.bert import load_bert
    from claimcheck.models.tuned_encoder import load_encoder
    from claimcheck.models.wordpieces import load_wordpieces

    assert load_bert(tiny_mpnet) is None
    assert isinstance(load_encoder(tiny_mpnet)[0], PreTrainedModel)
    folder = tmp_path / "no-tokenizer-json"
    shutil.copytree(tiny_encoder, folder)
    (folder / "tokenizer.json").unlink()
    assert load_wordpieces(folder) is None
    assert isinstance(load_encoder(folder)[0], PreTrainedModel)


def test_word_pieces_are_transformers_pieces(tiny_encoder):
    from claimcheck.models.wordpieces import load_wordpieces

    _, reference = _reference(tiny_encoder)
    ours = load_wordpieces(tiny_encoder)
    assert (ours.cls_token_id, ours.sep_token_id, ours.pad_token_id) == (
        reference.cls_token_id,
        reference.sep_token_id,
        reference.pad_token_id,
    )
    long = " ".join(SENTENCES * 20)  # past the 128 pieces that the shipped tokenizer.json truncates to
    for text in [*SENTENCES, long, "", "   "]:
        for specials in (False, True):
            got = ours(text, add_special_tokens=specials, return_offsets_mapping=True, verbose=False)
            want = reference(text, add_special_tokens=specials, return_offsets_mapping=True, verbose=False)
            assert got["input_ids"] == want["input_ids"]
            assert [tuple(o) for o in got["offset_mapping"]] == [tuple(o) for o in want["offset_mapping"]]
    assert len(ours(long)["input_ids"]) > 512


def test_softmax_is_scipys_to_the_bit():
    from scipy.special import softmax as scipy_softmax

    from claimcheck.models.type_head import softmax

    rng = np.random.default_rng(0)
    for dtype in (np.float64, np.float32):
        logits = (rng.normal(size=(40, 7)) * 15).astype(dtype)
        got, want = softmax(logits, axis=1), scipy_softmax(logits, axis=1)
        assert got.dtype == want.dtype and np.array_equal(got, want)


# -- what `claimcheck check` imports --------------------------------------------------------------

#: what ``claimcheck check`` with a shipped model must not import: :data:`DEFERRED`, and sympy
#: (which torch's compiler brings)
NOT_ON_CHECK = (*DEFERRED, "sympy")


@pytest.mark.parametrize("model", ["tagger", "tagger-lora"])
def test_check_on_the_command_line_imports_no_transformers(tmp_path, model):
    """``claimcheck check`` of a one-line article, run as the console script runs it: none of
    :data:`NOT_ON_CHECK` is in ``sys.modules`` at the end (structure, not time: the start-up
    figures are in ``eval/bench.py``)."""
    article, modules = tmp_path / "ferry.txt", tmp_path / "modules.json"
    article.write_text(ARTICLE, encoding="utf-8")
    probe = (
        "import json, sys\n"
        "from claimcheck.cli import main\n"
        f"sys.argv = ['claimcheck', 'check', {str(article)!r}, '--format', 'json', '--model', {model!r}]\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        f"open({str(modules)!r}, 'w').write(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=_env(), cwd=REPO, timeout=300
    )
    assert out.returncode == 0, out.stderr
    (start, end), *_ = json.loads(out.stdout)[0]["attributions"][0]["source"]
    assert ARTICLE[start:end] == "Mayor Lena Fairweather"
    loaded = set(json.loads(modules.read_text()))
    assert sorted(m for m in NOT_ON_CHECK if m in loaded) == []
    assert "torch" in loaded and "claimcheck.models.bert" in loaded


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

    from claimcheck.cli import app
    from claimcheck.cli import check as check_command

    steps: list[float] = []

    class Recording(Progress):
        def advance(self, task_id, advance: float = 1) -> None:
            steps.append(advance)
            super().advance(task_id, advance)

    monkeypatch.setattr(check_command, "Progress", Recording)
    files = []
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.txt").write_text(ARTICLE, encoding="utf-8")
        files.append(str(tmp_path / f"{name}.txt"))
    result = CliRunner().invoke(app, ["check", *files, "--model", "baseline", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    assert steps == [1, 1, 1]
