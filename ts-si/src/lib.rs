//! ts-si
