"""A dress rehearsal of a phone bank: twenty volunteers, five hundred voters, the simulator and a referee."""
