//! dish-align
