"""A module no figure script imports: editing it runs no script."""

GREETING = "hello"
