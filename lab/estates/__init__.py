"""Estate files served by the lab, and the generator of the demo estate."""
