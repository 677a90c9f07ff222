"""`make bench`: performance figures at realistic (1x) and 10x scale.

Each domain adds a module with a ``run(env) -> list[Figure]`` function and lists it in
``MODULES``; results go to ``bench/results.json`` as ``{name: {value, unit, target, pass}}``.
"""
