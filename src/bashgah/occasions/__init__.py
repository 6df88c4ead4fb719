"""Occasions: birthday, membership and wedding anniversaries, Nowruz and Yalda gifts, once a Jalali year."""
