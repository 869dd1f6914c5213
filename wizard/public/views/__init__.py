"""Views, split by stage of the journey."""
