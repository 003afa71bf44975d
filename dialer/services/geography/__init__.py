"""Geography: where postcodes are, the marginal seats near a volunteer or needing them most, what is
happening in each seat, and the bird's-eye view of a campaign's seats."""
