//! What is stolen and what it costs: the commonly targeted goods of `docs/domain.md` at realistic retail
//! prices, what each kind of shop stocks, and the line items of one incident. A one-off thief takes
//! a few items; a prolific one fills a bag; an organised group steals to order in volume.

use crate::random::{Weighted, pick};
use orca_model::LineItem;
use rand::Rng;
use serde::Serialize;

/// Categories of goods (the `category` of a line item is the kebab-case name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Alcohol,
    Meat,
    Cheese,
    Confectionery,
    Coffee,
    BabyFormula,
    Cosmetics,
    Razors,
    Fragrance,
    Clothing,
    Electronics,
    PowerTools,
    Groceries,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Alcohol => "alcohol",
            Category::Meat => "meat",
            Category::Cheese => "cheese",
            Category::Confectionery => "confectionery",
            Category::Coffee => "coffee",
            Category::BabyFormula => "baby-formula",
            Category::Cosmetics => "cosmetics",
            Category::Razors => "razors",
            Category::Fragrance => "fragrance",
            Category::Clothing => "clothing",
            Category::Electronics => "electronics",
            Category::PowerTools => "power-tools",
            Category::Groceries => "groceries",
        }
    }

    /// Products of the category: (description, lowest price, highest price) in pence.
    fn products(self) -> &'static [(&'static str, i64, i64)] {
        match self {
            Category::Alcohol => &[
                ("Vodka 70cl", 1_600, 2_800),
                ("Scotch whisky 70cl", 2_000, 4_500),
                ("Gin 70cl", 1_800, 3_500),
                ("Champagne 75cl", 2_800, 4_500),
                ("Red wine 75cl", 700, 1_500),
                ("Cognac 70cl", 3_500, 6_000),
            ],
            Category::Meat => &[
                ("Sirloin steak 2-pack", 700, 1_400),
                ("Beef joint", 1_000, 2_200),
                ("Lamb shoulder", 1_200, 2_000),
                ("Chicken breast fillets", 400, 800),
                ("Smoked salmon 200g", 500, 900),
            ],
            Category::Cheese => {
                &[("Mature cheddar 400g", 350, 650), ("Parmigiano Reggiano 200g", 450, 900), ("Brie 200g", 250, 500)]
            }
            Category::Confectionery => &[
                ("Chocolate bar multipack", 150, 450),
                ("Boxed chocolates", 500, 1_500),
                ("Sweets share bag", 120, 300),
            ],
            Category::Coffee => {
                &[("Instant coffee 200g", 500, 950), ("Coffee pods x16", 450, 700), ("Coffee beans 1kg", 1_000, 2_000)]
            }
            Category::BabyFormula => &[("Baby formula 800g", 1_100, 1_900)],
            Category::Cosmetics => &[
                ("Foundation", 900, 3_800),
                ("Mascara", 700, 2_800),
                ("Face serum", 1_500, 6_500),
                ("Lipstick", 800, 3_000),
                ("Electric toothbrush", 3_000, 12_000),
            ],
            Category::Razors => &[("Razor blades 8-pack", 1_200, 3_500), ("Razor handle with blades", 800, 2_000)],
            Category::Fragrance => &[
                ("Eau de parfum 100ml", 6_000, 14_000),
                ("Eau de toilette 50ml", 3_500, 7_500),
                ("Aftershave 100ml", 4_500, 9_000),
            ],
            Category::Clothing => &[
                ("Designer jacket", 8_000, 35_000),
                ("Trainers", 6_000, 17_000),
                ("Jeans", 2_500, 9_000),
                ("Tracksuit", 4_000, 11_000),
                ("Hoodie", 2_500, 7_000),
            ],
            Category::Electronics => &[
                ("Wireless headphones", 3_000, 30_000),
                ("Mobile phone", 25_000, 110_000),
                ("Games console", 25_000, 48_000),
                ("Tablet", 20_000, 80_000),
                ("Smart speaker", 3_000, 20_000),
            ],
            Category::PowerTools => &[
                ("Cordless drill", 6_000, 22_000),
                ("Impact driver kit", 10_000, 30_000),
                ("Angle grinder", 5_000, 15_000),
                ("Power tool battery", 4_000, 12_000),
            ],
            Category::Groceries => &[
                ("Laundry capsules", 600, 1_200),
                ("Batteries 12-pack", 800, 1_500),
                ("Olive oil 1l", 700, 1_200),
                ("Washing-up liquid", 150, 350),
            ],
        }
    }
}

/// The kind of shop a retailer runs, which decides what it stocks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ShopKind {
    Grocery,
    Convenience,
    OffLicence,
    PharmacyBeauty,
    Department,
    Diy,
    Electricals,
    FashionSports,
}

impl ShopKind {
    /// What the shop stocks, weighted by how often it is stolen there.
    pub fn stock(self) -> &'static [(Category, f64)] {
        use Category::*;
        match self {
            ShopKind::Grocery => &[
                (Alcohol, 3.0),
                (Meat, 3.0),
                (Cheese, 2.0),
                (Confectionery, 2.0),
                (Coffee, 2.0),
                (BabyFormula, 1.0),
                (Razors, 1.5),
                (Cosmetics, 1.0),
                (Groceries, 2.0),
                (Electronics, 0.3),
            ],
            ShopKind::Convenience => {
                &[(Alcohol, 4.0), (Confectionery, 3.0), (Meat, 1.0), (Coffee, 1.0), (Groceries, 2.0), (Razors, 0.5)]
            }
            ShopKind::OffLicence => &[(Alcohol, 5.0), (Confectionery, 1.0)],
            ShopKind::PharmacyBeauty => &[(Cosmetics, 3.0), (Fragrance, 2.0), (Razors, 2.0), (BabyFormula, 1.0)],
            ShopKind::Department => &[(Fragrance, 3.0), (Cosmetics, 2.0), (Clothing, 3.0), (Electronics, 0.5)],
            ShopKind::Diy => &[(PowerTools, 4.0), (Groceries, 0.5)],
            ShopKind::Electricals => &[(Electronics, 1.0)],
            ShopKind::FashionSports => &[(Clothing, 1.0)],
        }
    }

    /// How many thefts a store of this kind suffers relative to a supermarket.
    pub fn theft_weight(self) -> f64 {
        match self {
            ShopKind::Grocery => 1.0,
            ShopKind::Convenience => 0.8,
            ShopKind::OffLicence => 0.5,
            ShopKind::PharmacyBeauty => 0.7,
            ShopKind::Department => 0.5,
            ShopKind::Diy => 0.3,
            ShopKind::Electricals => 0.3,
            ShopKind::FashionSports => 0.5,
        }
    }

    pub fn stocks_any(self, categories: &[Category]) -> bool {
        self.stock().iter().any(|(c, _)| categories.contains(c))
    }
}

/// What an organised group steals to order.
pub const SPECIALISMS: &[&[Category]] = &[
    &[Category::Alcohol, Category::Meat, Category::Cheese],
    &[Category::Cosmetics, Category::Fragrance, Category::Razors],
    &[Category::PowerTools],
    &[Category::Electronics],
    &[Category::Clothing, Category::Fragrance],
    &[Category::BabyFormula, Category::Razors, Category::Coffee],
];

/// How much a thief takes.
#[derive(Clone, Copy, Debug)]
pub enum Haul {
    /// A few items for own use or to sell on locally.
    Small,
    /// A bag or a trolley.
    Bag,
    /// Volume to order, aiming at a value in pence, from the group's specialism.
    ToOrder { target_pence: i64, specialism: &'static [Category] },
}

/// Line items of one incident at a shop of `kind`. Never empty.
pub fn line_items<R: Rng + ?Sized>(rng: &mut R, kind: ShopKind, haul: Haul, recovered: bool) -> Vec<LineItem> {
    let stock = kind.stock();
    let (lines, categories): (usize, Vec<(Category, f64)>) = match haul {
        Haul::Small => (rng.random_range(1..=2), stock.to_vec()),
        Haul::Bag => (rng.random_range(1..=3), stock.to_vec()),
        Haul::ToOrder { specialism, .. } => {
            let wanted: Vec<(Category, f64)> = stock.iter().filter(|(c, _)| specialism.contains(c)).copied().collect();
            (rng.random_range(1..=3), if wanted.is_empty() { stock.to_vec() } else { wanted })
        }
    };
    let table = Weighted::new(categories.iter().map(|(_, w)| *w));
    let mut items = Vec::with_capacity(lines);
    for _ in 0..lines {
        let category = categories[table.pick(rng)].0;
        let &(description, low, high) = pick(rng, category.products());
        if items.iter().any(|item: &LineItem| item.description == description) {
            continue;
        }
        // Shelf prices end in .00, .50 or .99.
        let price = round_price(rng.random_range(low..=high));
        let quantity = match haul {
            Haul::Small => {
                if price > 5_000 {
                    1
                } else {
                    rng.random_range(1..=3)
                }
            }
            Haul::Bag => {
                if price > 5_000 {
                    rng.random_range(1..=2)
                } else {
                    rng.random_range(2..=10)
                }
            }
            Haul::ToOrder { target_pence, .. } => {
                let share = target_pence / lines as i64;
                let jitter = rng.random_range(0.7..1.3);
                ((share as f64 * jitter / price as f64).round() as u32).clamp(1, 120)
            }
        };
        items.push(LineItem {
            description: description.to_owned(),
            category: category.as_str().to_owned(),
            quantity,
            unit_price_pence: price,
            recovered,
        });
    }
    items
}

fn round_price(pence: i64) -> i64 {
    let base = pence - pence % 100;
    match pence % 100 {
        0..=30 => base,
        31..=70 => base + 50,
        _ => base + 99,
    }
    .max(50)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::random::{Purpose, rng_for};

    #[test]
    fn groups_steal_far_more_than_one_off_thieves() {
        let mut rng = rng_for(3, Purpose::Render, 0);
        let total = |haul: Haul, rng: &mut crate::random::WorldRng| -> i64 {
            (0..500)
                .map(|_| line_items(rng, ShopKind::Grocery, haul, false).iter().map(|l| l.value().get()).sum::<i64>())
                .sum()
        };
        let small = total(Haul::Small, &mut rng);
        let to_order = total(Haul::ToOrder { target_pence: 100_000, specialism: SPECIALISMS[0] }, &mut rng);
        assert!(to_order > small * 10, "to order {to_order}, small {small}");
    }

    #[test]
    fn a_specialism_is_stolen_where_it_is_stocked() {
        let mut rng = rng_for(4, Purpose::Render, 0);
        let items = line_items(
            &mut rng,
            ShopKind::Diy,
            Haul::ToOrder { target_pence: 80_000, specialism: &[Category::PowerTools] },
            false,
        );
        assert!(items.iter().all(|l| l.category == "power-tools" && l.quantity >= 1));
    }
}
