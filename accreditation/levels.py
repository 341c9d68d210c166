from django.db import models


class Level(models.TextChoices):
    FULL = "full", "Full"
    PROVISIONAL = "provisional", "Provisional"
