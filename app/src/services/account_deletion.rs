//! Deleting an account. (Being written.)
