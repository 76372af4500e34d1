"""Training: the fine-tuned tagger, the rule baseline's type classifier, the sourcing scorer's fit."""
