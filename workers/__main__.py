"""`python -m workers`: run an RQ worker."""

from workers.runner import main

main()
