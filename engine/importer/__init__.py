"""Importing existing models as editable graphs (`neurocanvas import`)."""
