"""The page benchmark (`make bench`): settings, URLs and the runner."""
