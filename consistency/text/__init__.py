"""Text understanding, pure functions on str: normalize, number words, money, facts, mentions."""
