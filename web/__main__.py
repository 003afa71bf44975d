"""`python -m web`: serve the web app."""

from web.server import main

main()
