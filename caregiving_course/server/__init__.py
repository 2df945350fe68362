"""The embedded web server's own pages: home, sign-up and sign-in, course navigation."""
