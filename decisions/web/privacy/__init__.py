"""Personal data: the privacy page, one's own data and closing one's account, and each
organisation's settings of how long it keeps its former members' data."""
