"""The lab: an SSH device simulator serving a whole estate of simulated devices on 127.0.0.1."""
