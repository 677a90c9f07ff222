"""Grids (网格) and groups (群): the grid cells and their boundaries, the group registry and its naming
standard, coverage figures and the coverage map, the group and grid imports, and the public list of
places residents choose from."""
