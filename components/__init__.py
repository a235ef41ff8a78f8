"""Custom Rasa NLU components. Thin: the language logic lives in coach/."""
