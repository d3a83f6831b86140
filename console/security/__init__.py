"""Who may do what, and what is kept secret or kept at all: operators and the permission guard, console users and
passwords, the secret store, and the retention purge. No Qt."""
