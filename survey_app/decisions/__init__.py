"""From findings to decisions (pure: no Flask, no storage): task profiles, staffing, the committee pack."""
