class UserError(Exception):
    """An error caused by input (a file, an argument): the CLI prints it as one clear line, no traceback."""
