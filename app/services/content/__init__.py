"""What people share and see: posts, likes and comments, the social graph, timelines.

``access`` is the one place that decides who may see what; every list and page applies it.
"""
