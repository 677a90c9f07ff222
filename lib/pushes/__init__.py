"""Pushes (推送): standardized messages from compose through review to delivery — templates per category,
the audience (targeting), delivery by WeCom robot or by hand, the delivery worker, posters and QR codes,
the content library, response figures, and appeals (协查通报) as a race on the live appeal board."""
