"""Who is calling, what they may do, how often, and the record of what they did."""
