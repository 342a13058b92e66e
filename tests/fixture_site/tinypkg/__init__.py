"""The fixture site's package: shapes both scripts draw, and a module neither imports."""
