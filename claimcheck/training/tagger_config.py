"""The training config of the tagger (``tagger.v1``): what ``configs/tagger*.yaml`` hold.

Every key keeps its meaning across versions: a run's checkpoint is resumed with the
config that started it (:mod:`claimcheck.training.loop`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, PositiveInt, field_validator

from claimcheck.models.encoders import DEFAULT_ENCODER
from claimcheck.training.config import ConfigPath


class FinetuneConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    architecture: str = "tagger.v1"
    base_encoder: str = DEFAULT_ENCODER
    train: ConfigPath
    # article ids of ``train`` held out for every choice (epochs, decoding, heads); one per line
    validation: ConfigPath | None = None
    dev: ConfigPath | None = None  # reported beside validation, never used for a choice
    dev_gold: ConfigPath | None = None  # typed dev labels: reported in the model card, never trained on
    annotations: ConfigPath | None = None  # type labels of the training data's sources, by id
    output: ConfigPath
    max_train_articles: int | None = None
    max_dev_articles: int | None = None
    max_length: int = 192
    context_sentences: int = 1
    inference_context_sentences: int | None = None  # context when the model runs (None: as in training)
    epochs: int = 2  # at most; with ``plateau_patience`` training stops earlier
    plateau_patience: int | None = None  # stop after this many epochs without a better validation score
    finetuning: Literal["lora", "full"] = "lora"  # full: every encoder weight but the word embeddings
    case_features: bool = False  # a learnt letter-case embedding added to the input
    decoding: Literal["argmax", "viterbi"] = "argmax"  # viterbi: no I after O
    content_end: Literal["keep", "trim"] = "keep"  # trim: a content's trailing full stop or comma left out
    # tagged attributions the tagger is less sure of are dropped (eval/detection_threshold.py chooses it)
    min_detection: float | None = None
    # a fully fine-tuned encoder stored as its change from the base cut to this rank (eval/low_rank.py chooses it)
    encoder_rank: PositiveInt | None = None
    checkpoint_dir: ConfigPath | None = None  # default ~/.cache/claimcheck/train/<output name>
    batch_size: int = 16
    learning_rate: float = 5e-4
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    lora_targets: list[str] = ["query", "key", "value", "dense"]
    type_head_C: float = 1.0
    type_head_class_weight: Literal["balanced"] | None = None  # balanced: every type weighs the same
    type_head_dense_weight: float = 1.0  # the encoder vector's weight beside the hand features
    # joint: types also learnt with the encoder by a head over source, cue and sentence
    # (claimcheck/models/joint_types.py); linear or joint is chosen on the validation split
    type_head: Literal["linear", "joint"] = "linear"
    type_loss_weight: float = 0.5  # joint: the type cross-entropy's weight beside the tag loss
    # markdown files added to the model card, in order (experiments, comparisons); one path or a list
    card_notes: list[ConfigPath] = []
    selection_metric: str = "spans.mean_exact_f1"
    # continuing on new labels (`claimcheck train --add`)
    replay: ConfigPath | None = None  # original training data to mix in, where it is at hand
    replay_articles: int = 100
    heldout_fraction: float = 0.2
    continue_epochs: int = 4
    heldout_min_articles: int = 5  # with fewer new articles none is held out: all are learnt from
    crossfit_max_steps: int = 150  # then cross-fitting (a fold per article) runs if its training steps fit
    continue_learning_rate: float = 1e-4
    continue_head_learning_rate: float | None = None  # None: scaled as head_learning_rate is to learning_rate
    patience: int = 1
    new_label_weight: float = 3.0
    checkpoint_steps: int = 100
    threads: int = 2
    seed: int = 0
    # warm start: a trained tagger (name or folder) whose encoder, tag head and case embedding the
    # run starts from instead of the base encoder (a joint type head starts fresh)
    init_from: str | None = None
    # distillation: a trained tagger (name or folder) whose soft tags are a second target
    teacher: str | None = None
    distill_weight: float = 0.5  # the KL term's share of the loss, (1 - w) for the gold tags
    distill_temperature: float = 1.0

    @field_validator("card_notes", mode="before")
    @classmethod
    def _notes_as_list(cls, value: Any) -> Any:
        """One path, as older configs and stored models have it (or none), is a list of one."""
        return [] if value is None else value if isinstance(value, list) else [value]


def checkpoint_dir(config: FinetuneConfig) -> Path:
    """Where a run's checkpoints live: outside the work tree, where a later session finds them."""
    if config.checkpoint_dir is not None:
        return config.checkpoint_dir
    return Path.home() / ".cache" / "claimcheck" / "train" / Path(config.output).name


def learning_rates(config: FinetuneConfig, continuing: bool = False) -> tuple[float, float]:
    """The encoder's and the heads' learning rates: training's, or (``continuing``) the small
    continuing rate, with the heads' scaled from it as in training unless the config sets it."""
    if not continuing:
        return config.learning_rate, config.head_learning_rate
    head = config.continue_head_learning_rate
    if head is None:
        head = config.continue_learning_rate * config.head_learning_rate / config.learning_rate
    return config.continue_learning_rate, head
