"""Rasa input channels: how runners reach the bot (REST, web widget, Telegram, Slack)."""
