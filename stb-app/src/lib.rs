//! The 户户通 set-top box: tuner and LNB control over the Linux DVB API v5, and (in the modules beside) the
//! service information, user interface and activation built on it.

pub mod card_reader;
pub mod channels;
pub mod console;
pub mod dvb;
pub mod emm;
pub mod lnb;
pub mod picture;
pub mod policy;
pub mod scan;
pub mod textfile;
pub mod tuner;
pub mod ui;
