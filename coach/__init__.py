"""The coach's reasoning in plain Python: knowledge, retrieval, triage, plans.

Nothing in this package imports Rasa, so it is unit-tested directly and shared by the
action server (actions/), the NLU components (components/) and the channels (channels/).
"""
